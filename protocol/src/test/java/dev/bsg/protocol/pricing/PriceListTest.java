package dev.bsg.protocol.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PriceListTest {
    private final PriceList shipped = PriceList.shipped();

    @Test
    void globalInferencePaysListPriceAndRegionalPaysTheTenPercentPremium() {
        Price.Tokens million = new Price.Tokens(1_000_000, 1_000_000, 0, 0, 0);
        assertThat(Price.usd(shipped.costNanos(
                        "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
                        "claude-sonnet-4-5-20250929",
                        "us-east-1",
                        million)))
                .isEqualTo("18.000000000");
        assertThat(Price.usd(shipped.costNanos(
                        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                        "claude-sonnet-4-5-20250929",
                        "us-east-1",
                        million)))
                .isEqualTo("19.800000000");
        assertThat(Price.usd(
                        shipped.costNanos("anthropic.claude-sonnet-4-5-20250929-v1:0", null, "eu-west-1", million)))
                .as("an in-region base id is regional too")
                .isEqualTo("19.800000000");
    }

    @Test
    void cachePricesFollowTheInputPriceByTheirMultipliers() {
        Price haiku = shipped.lookup("anthropic.claude-haiku-4-5-20251001-v1:0", null, "us-east-1");
        assertThat(haiku.cacheRead()).isEqualByComparingTo("0.1");
        assertThat(haiku.cacheWrite5m()).isEqualByComparingTo("1.25");
        assertThat(haiku.cacheWrite1h()).isEqualByComparingTo("2");
        long nanos = haiku.costNanos(new Price.Tokens(10, 20, 1000, 100, 50), false);
        // 10*1 + 20*5 + 1000*0.1 + 100*1.25 + 50*2 = 435 USD per million tokens -> 435,000 nanodollars
        assertThat(nanos).isEqualTo(435_000);
    }

    @Test
    void costsAreExactDecimalsWithoutFloatingPointDrift() {
        Price haiku3 = shipped.lookup("us.anthropic.claude-3-haiku-20240307-v1:0", null, "us-east-1");
        long total = 0;
        for (int i = 0; i < 1000; i++) total += haiku3.costNanos(new Price.Tokens(3, 7, 0, 0, 0), false);
        // each: 3*0.25 + 7*1.25 = 9.5 USD/MTok -> 9,500 nanodollars; a thousand of them are exactly 0.0095 USD
        assertThat(Price.usd(total)).isEqualTo("0.009500000");
    }

    @Test
    void anUnknownModelFallsBackToTheStarRowAndAnArnIsUnderstood() {
        assertThat(shipped.lookup("anthropic.claude-future-9", "claude-future-9", "us-east-1")
                        .model())
                .isEqualTo("*");
        assertThat(shipped.lookup(
                                "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-opus-4-1-20250805-v1:0",
                                null,
                                "us-east-1")
                        .input())
                .isEqualByComparingTo("15");
    }

    @Test
    void aRegionRowWinsOverTheStarRow() {
        PriceList list = PriceList.parse(
                PriceList.HEADER + "\nclaude-x,us-gov-west-1,6,30,,,,0\nclaude-x,*,5,25,,,,0\n*,*,1,1,,,,0\n");
        assertThat(list.lookup("anthropic.claude-x", "claude-x", "us-gov-west-1")
                        .input())
                .isEqualByComparingTo("6");
        assertThat(list.lookup("anthropic.claude-x", "claude-x", "us-east-1").input())
                .isEqualByComparingTo("5");
    }

    @Test
    void theVersionChangesWithTheContent() {
        String csv = PriceList.HEADER + "\n*,*,1,1,,,,0\n";
        assertThat(PriceList.parse(csv).version())
                .isEqualTo(PriceList.parse(csv).version())
                .startsWith("prices-");
        assertThat(PriceList.parse(csv.replace("*,*,1,1", "*,*,2,1")).version())
                .isNotEqualTo(PriceList.parse(csv).version());
    }

    @Test
    void badCsvIsRefusedWithTheLineAndTheFix() {
        assertThatThrownBy(() -> PriceList.parse("model,input\n"))
                .hasMessageContaining("line 1")
                .hasMessageContaining(PriceList.HEADER);
        assertThatThrownBy(() -> PriceList.parse(PriceList.HEADER + "\nclaude-x,*,three,15,,,,0\n*,*,1,1,,,,0"))
                .hasMessageContaining("line 2")
                .hasMessageContaining("input 'three'");
        assertThatThrownBy(() -> PriceList.parse(PriceList.HEADER + "\nclaude-x,*,-1,15,,,,0\n*,*,1,1,,,,0"))
                .hasMessageContaining("non-negative");
        assertThatThrownBy(() -> PriceList.parse(PriceList.HEADER + "\nclaude-x,*,1,15,,,,0\n"))
                .hasMessageContaining("model *");
        assertThatThrownBy(() -> PriceList.parse(PriceList.HEADER + "\nclaude-x,*,1,15\n*,*,1,1,,,,0"))
                .hasMessageContaining("expected 8 columns");
        assertThatThrownBy(() -> PriceList.parse(PriceList.HEADER + "\n*,*,1,1,,,,0\n*,*,2,2,,,,0"))
                .hasMessageContaining("priced twice");
        assertThatThrownBy(() -> PriceList.parse("")).hasMessageContaining("empty");
    }

    @Test
    void pricesOutOfRangeOrTooFineAreRefusedAtOnceNamingTheColumn() {
        for (String bad : new String[] {
            "10000.000000001", "1e999999999", "1000000000000000", "-0.5", "0.0000000001", "1e-999999999"
        }) {
            assertThatThrownBy(() -> PriceList.parse(PriceList.HEADER + "\n*,*,3," + bad + ",,,,\n"))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("line 2: output");
        }
        assertThatThrownBy(() -> PriceList.parse(PriceList.HEADER + "\n*,*,3,15,,,,1001\n"))
                .hasMessageContaining("regional_premium_percent");
        PriceList edge = PriceList.parse(PriceList.HEADER + "\n*,*,1E+4,0.000000001,,,,\n");
        assertThat(edge.prices().get(0).input()).isEqualByComparingTo("10000");
    }

    @Test
    void aCostBeyondWhatALongHoldsSaturatesInsteadOfFailing() {
        Price dearest = PriceList.parse(PriceList.HEADER + "\n*,*,10000,10000,,,,\n")
                .prices()
                .get(0);
        assertThat(dearest.costNanos(new Price.Tokens(Long.MAX_VALUE, Long.MAX_VALUE, 0, 0, 0), true))
                .isEqualTo(Price.SATURATED);
        assertThat(dearest.costNanos(new Price.Tokens(1_000_000, 0, 0, 0, 0), false))
                .isEqualTo(10_000_000_000_000L);
    }
}
