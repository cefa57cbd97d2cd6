"""Claims about the public: interactivity rather than reach (essay 002), word of mouth
(essay 003) and listening rather than broadcasting (essay 004)."""

from __future__ import annotations

from experiments.claims.design import BASELINE, DD, Claim, Level

LISTEN = Level("listening 0.9", DD, ("culture.listening=0.9",))
TALK = Level("listening 0.1", DD, ("culture.listening=0.1",))
FOLLOWERS = Level("3x followers (0.9)", DD, ("customers.brand_follower_share=0.9",))
REACH_MARGIN = 0.005


def _no_lift(level: Level) -> Level:
    """The level with broadcasts that do not lift followers' sentiment."""
    return Level(
        f"{level.name}, no broadcast lift",
        level.scenario,
        (
            *level.overrides,
            "broadcast.sentiment=0",
        ),
    )


def interactivity_claims() -> tuple[Claim, ...]:
    """Essay 002: "Too often social media tools are being used simply to accumulate the
    number of [followers / friends / contacts / readers] – this is an important metric,
    but it's not the key metric. What you should be striving for (and measuring) is the
    level of interactivity."

    Returns
    -------
    tuple of Claim
        ``6-interactivity``, ``6-credibility``, ``6-sentiment``: more listening (0.9
        against the shipped 0.5) raises interactivity, credibility and sentiment.
        ``6-reach-credibility``, ``6-reach-sentiment``: three times the brand's
        followers (0.9 of customers against 0.3) does not raise credibility (sentiment)
        by :data:`REACH_MARGIN` or more (non-superiority). The ``-no-broadcast-lift``
        variants are diagnostics: the same sentiment contrasts with
        ``broadcast.sentiment = 0``.
    """
    sentence = (
        "Value comes from interactivity (two-way conversation), not from reach or follower counts."
    )
    quote = "What you should be striving for (and measuring) is the level of interactivity."
    listening = {
        "lever": "culture.listening",
        "levels": (BASELINE, LISTEN),
        "expected": "greater",
    }
    reach = {
        "lever": "customers.brand_follower_share",
        "levels": (BASELINE, FOLLOWERS),
        "expected": "less",
        "margin": REACH_MARGIN,
    }
    return (
        Claim(
            id="6-interactivity",
            essay="002",
            sentence=sentence,
            quote=quote,
            kpi="interactivity",
            **listening,
        ),
        Claim(
            id="6-credibility",
            essay="002",
            sentence=sentence,
            quote=quote,
            kpi="credibility",
            **listening,
        ),
        Claim(
            id="6-sentiment",
            essay="002",
            sentence=sentence,
            quote=quote,
            kpi="sentiment",
            **listening,
            note="Listening also sets the broadcast rate, rate x (1 - listening), and "
            "each broadcast adds broadcast.sentiment x integrity to every follower.",
        ),
        Claim(
            id="6-reach-credibility",
            essay="002",
            sentence=sentence,
            quote=quote,
            kpi="credibility",
            **reach,
            note="Non-superiority: more followers hear the broadcasts; the test is "
            f"that credibility does not rise by {REACH_MARGIN} or more.",
        ),
        Claim(
            id="6-reach-sentiment",
            essay="002",
            sentence=sentence,
            quote=quote,
            kpi="sentiment",
            **reach,
            note=f"Non-superiority margin {REACH_MARGIN}, as for credibility.",
        ),
        Claim(
            id="6-sentiment-no-broadcast-lift",
            essay="002",
            sentence=sentence,
            quote=quote,
            kpi="sentiment",
            lever="culture.listening (broadcast.sentiment = 0)",
            levels=(_no_lift(BASELINE), _no_lift(LISTEN)),
            expected="greater",
            note="Diagnostic of 6-sentiment: the same contrast with broadcasts that do not "
            "lift followers' sentiment (broadcast.sentiment = 0).",
        ),
        Claim(
            id="6-reach-sentiment-no-broadcast-lift",
            essay="002",
            sentence=sentence,
            quote=quote,
            kpi="sentiment",
            lever="customers.brand_follower_share (broadcast.sentiment = 0)",
            levels=(_no_lift(BASELINE), _no_lift(FOLLOWERS)),
            expected="less",
            margin=REACH_MARGIN,
            note="Diagnostic of 6-reach-sentiment, with broadcast.sentiment = 0.",
        ),
    )


def word_of_mouth_claims() -> tuple[Claim, ...]:
    """Essay 003: "Rock bands play for their fans and leave it to them to communicate
    with non-fans to turn them into new fans."

    Returns
    -------
    tuple of Claim
        ``8-word-of-mouth``: with every other mechanism on, the fan share rises more
        over five days at ``opinions.q_imitation`` 0.8 than at the shipped 0.2.
    """
    return (
        Claim(
            id="8-word-of-mouth",
            essay="003",
            sentence="Fans convert non-fans (word of mouth).",
            quote="Rock bands play for their fans and leave it to them to communicate with "
            "non-fans to turn them into new fans.",
            lever="opinions.q_imitation",
            levels=(BASELINE, Level("q 0.8", DD, ("opinions.q_imitation=0.8",))),
            kpi="fan_share_rise",
            expected="greater",
            note="The full model (tests/test_public.py isolates word of mouth with posting "
            "and broadcasts off).",
        ),
    )


def listening_claims() -> tuple[Claim, ...]:
    """Essay 004: "Us, us, us. Talk, talk, talk. Noise, noise noise. Seriously, shut it
    already."

    Returns
    -------
    tuple of Claim
        ``9-followers``, ``9-credibility``: at listening 0.1 against the shipped 0.5 the
        brand keeps fewer followers and less credibility after five days.
    """
    sentence = "Broadcasting without listening (talk, talk, talk) loses the audience."
    quote = "Us, us, us. Talk, talk, talk. Noise, noise noise. Seriously, shut it already."
    common = {
        "essay": "004",
        "sentence": sentence,
        "quote": quote,
        "lever": "culture.listening",
        "levels": (BASELINE, TALK),
        "expected": "less",
    }
    return (
        Claim(id="9-followers", kpi="brand_followers_final", **common),
        Claim(id="9-credibility", kpi="credibility", **common),
    )
