package dev.bsg.gateway.web;

import dev.bsg.gateway.core.Principal;

/**
 * What every console page knows: its title, the menu entry it belongs to, who is looking (null: nobody signed in),
 * the nonce its scripts carry and the CSRF token its forms send back.
 *
 * @param notice a one-line confirmation of what just happened, or null
 * @param error what went wrong with what the person just sent, or null
 */
public record View(
        String title, String section, Principal viewer, String nonce, String csrf, String notice, String error) {
    public boolean signedIn() {
        return viewer != null;
    }

    public boolean admin() {
        return viewer != null && viewer.admin();
    }

    public boolean current(String name) {
        return name.equals(section);
    }

    View withTitle(String title, String section) {
        return new View(title, section, viewer, nonce, csrf, notice, error);
    }

    View withNotice(String notice) {
        return new View(title, section, viewer, nonce, csrf, notice, error);
    }

    View withError(String error) {
        return new View(title, section, viewer, nonce, csrf, notice, error);
    }
}
