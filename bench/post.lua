-- wrk script: POST the body in $BODY with the header $AUTH_HEADER: $AUTH_VALUE.
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["anthropic-version"] = "2023-06-01"
wrk.headers[os.getenv("AUTH_HEADER")] = os.getenv("AUTH_VALUE")
