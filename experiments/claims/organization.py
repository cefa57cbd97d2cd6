"""Claims about the organization: silos, hierarchy, voice and honesty (essay 000),
product quality and leadership integrity (essay 001)."""

from __future__ import annotations

from experiments.claims.design import (
    DD,
    SB,
    SMALL_WORLD,
    STRUCTURE_NAMES,
    Claim,
    Level,
)

UNSATURATED_COMMS: tuple[str, ...] = ("silos.comms.share=0.25",)
"""A comms team large enough (25 of 100 people) not to be a switchboard's bottleneck."""


def silo_claims() -> tuple[Claim, ...]:
    """Essay 000: "Social interactions on the net are blind to internal silos. Companies
    that are using social media effectively aren't worried about a negative tweet
    arriving at the wrong department."

    Returns
    -------
    tuple of Claim
        ``1-switchboard``: in a switchboard (comms team unsaturated, see
        ``tests/test_directional.py``), walls (permeability 0.2 against 1.0) lower the
        share of cross-silo threads answered within 12 hours. ``1-direct-dial``: the
        same lever in direct dial, over the threads that need a second silo's knowledge
        (MODEL.md 2), which its claimants consult across the wall.
    """
    sentence = (
        "Silos slow answers to messages whose topic crosses departments; the public "
        "does not care who owns it."
    )
    quote = (
        "Social interactions on the net are blind to internal silos. [...] They "
        "recognize that the audience doesn't care that there's a complaints department "
        "for that."
    )
    return (
        Claim(
            id="1-switchboard",
            essay="000",
            sentence=sentence,
            quote=quote,
            lever="culture.silo_permeability",
            levels=(
                Level("open (1.0)", SB, ("culture.silo_permeability=1.0",)),
                Level("walled (0.2)", SB, ("culture.silo_permeability=0.2",)),
            ),
            kpi="cross_answered_within_12h_share",
            expected="less",
            hours=48,
            world=(*SMALL_WORLD, *UNSATURATED_COMMS),
            note="Cross-silo threads are those on topics comms does not own: the switchboard "
            "hands them across a wall (mean handoff_hours / permeability each way). The "
            "comms team is unsaturated (25% of staff): with the shipped 5% team, "
            "abandoned cross-silo threads relieve it and confound the comparison "
            "(tests/test_directional.py). Own-silo topics are tested there.",
        ),
        Claim(
            id="1-direct-dial",
            essay="000",
            sentence=sentence,
            quote=quote,
            lever="culture.silo_permeability",
            levels=(
                Level("open (1.0)", DD, ("culture.silo_permeability=1.0",)),
                Level("walled (0.2)", DD, ("culture.silo_permeability=0.2",)),
            ),
            kpi="second_answered_within_12h_share",
            expected="less",
            hours=48,
            note="In direct dial the owning silo's watchers take their own threads; a "
            "thread that needs a second silo makes its author consult that silo's "
            "on-board staff, a question that takes consult_hours / permeability to "
            "arrive (0.5 h at permeability 1). Permeability also sets how often another "
            "silo claims a busy silo's thread.",
        ),
    )


def hierarchy_claims() -> tuple[Claim, ...]:
    """Essay 000: "Social Media is indifferent to hierarchy." and "Is your organization
    ready to [...] Flatten the hierarchy?"

    Returns
    -------
    tuple of Claim
        ``2-<structure>``: one more approval level (``structure.approval_depth`` 1 → 2)
        raises the mean first response, in each of the four structures.
        ``2-<structure>-answered``: it lowers the share of threads ever answered (the
        mean first response covers answered threads only, and a thread whose answer
        waits too long is abandoned and leaves it).
    """
    claims = []
    for scenario, name in STRUCTURE_NAMES.items():
        for suffix, kpi, expected in (
            ("", "first_response_hours_mean", "greater"),
            ("-answered", "answered_share", "less"),
        ):
            claims.append(
                Claim(
                    id=f"2-{scenario.removesuffix('.toml')}{suffix}",
                    essay="000",
                    sentence="Hierarchy (approval chains) adds delay.",
                    quote="Social Media is indifferent to hierarchy.",
                    lever="structure.approval_depth",
                    levels=(
                        Level("shipped (depth 1)", scenario),
                        Level("depth 2", scenario, ("structure.approval_depth=2",)),
                    ),
                    kpi=kpi,
                    expected=expected,
                    hours=48,
                    note=f"{name}: the switchboard climbs the comms chain for every "
                    "answer; the others only for authors who are not empowered. The "
                    "switchboard and direct dial are also tested in the default world at "
                    "depths 0 and 2 in tests/test_directional.py.",
                )
            )
    return tuple(claims)


def voice_claims() -> tuple[Claim, ...]:
    """Essay 000: "Your title is completely irrelevant to the conversation if you don't
    have something authentic to say. You can go ahead and assume that your authority
    voice isn't going to work here. Also, your guy in the field who is out there
    tweeting about how things really are has a lot more credibility than you do."

    Returns
    -------
    tuple of Claim
        ``3-voice``: the same switchboard answers (same threads, routing and timing on
        each seed), posted once in the brand's authority voice (voice 0.5, comms
        authenticity 0.6, polished by spin 0.3) and once in a field expert's (voice 1.0
        as ``voice.expert``, authenticity 0.8 as staff, no polish): credibility is lower
        with the authority voice.
    """
    return (
        Claim(
            id="3-voice",
            essay="000",
            sentence="An authority voice with nothing authentic to say earns less "
            "credibility than a field expert.",
            quote="You can go ahead and assume that your authority voice isn't going to "
            "work here. Also, your guy in the field [...] has a lot more credibility "
            "than you do.",
            lever="voice.brand, organization.comms_authenticity, culture.spin",
            levels=(
                Level(
                    "field voice",
                    SB,
                    (
                        "voice.brand=1.0",
                        "organization.comms_authenticity=0.8",
                        "culture.spin=0.0",
                    ),
                ),
                Level("authority voice (shipped)", SB),
            ),
            kpi="credibility",
            expected="less",
            hours=48,
            note="A counterfactual on the voice alone: the levels differ only in how the "
            "answers sound, so speed and answered share are the same and the trust "
            "signal (authenticity x voice weight) is what moves credibility. The voice "
            "weights are parameters (MODEL.md 4.5, from trust surveys); the experiment "
            "shows what they do to credibility through the audience's exposures.",
        ),
    )


def honesty_claims() -> tuple[Claim, ...]:
    """Essay 000: "Social Media values authenticity and honesty. If you're glossing over
    the truth, you will be found out and discredited."

    Returns
    -------
    tuple of Claim
        ``4-credibility``: credibility after a week is lower at honesty 0.1 than 0.9.
        ``4-trajectory``: the gap grows: credibility rises less over the second half
        of the week at honesty 0.1 (gap at the end − gap at half time < 0).
    """
    sentence = "Spin is found out: low honesty loses credibility over time."
    quote = "If you're glossing over the truth, you will be found out and discredited."
    levels = (
        Level("honest (0.9)", DD, ("culture.honesty=0.9",)),
        Level("spin (0.1)", DD, ("culture.honesty=0.1",)),
    )
    return (
        Claim(
            id="4-credibility",
            essay="000",
            sentence=sentence,
            quote=quote,
            lever="culture.honesty",
            levels=levels,
            kpi="credibility",
            expected="less",
            hours=168,
        ),
        Claim(
            id="4-trajectory",
            essay="000",
            sentence=sentence,
            quote=quote,
            lever="culture.honesty",
            levels=levels,
            kpi="trust_change_late",
            expected="less",
            hours=168,
            note="trust_change_late = credibility at 168 h − at 84 h, so the contrast is "
            "(gap at 168 h) − (gap at 84 h): negative when the gap keeps growing.",
        ),
    )


def quality_claims() -> tuple[Claim, ...]:
    """Essay 001: "If what an organization [...] sucks at what it does, no amount of
    social media will improve quality." and "social media can actually expose the
    disparity between what a leader says and what he or she actually does."

    Returns
    -------
    tuple of Claim
        ``5a-<structure>``: product quality 0.3 against the shipped 0.7 gives more
        complaint threads per hour in the second half of two days, in every
        structure. ``5b-integrity``: leadership integrity 0.2 against the shipped 0.7
        lowers credibility after five days.
    """
    sentence = (
        "Social media cannot fix a bad product, bad service attitude or weak leadership: "
        "low quality keeps complaints coming whatever the structure, and a say–do gap in "
        "leaders' broadcasts destroys credibility."
    )
    claims = [
        Claim(
            id=f"5a-{scenario.removesuffix('.toml')}",
            essay="001",
            sentence=sentence,
            quote="no amount of social media will improve quality.",
            lever="culture.product_quality",
            levels=(
                Level("shipped (0.7)", scenario),
                Level("bad product (0.3)", scenario, ("culture.product_quality=0.3",)),
            ),
            kpi="complaints_per_hour_late",
            expected="greater",
            hours=48,
            note=f"{name}; complaints per hour over hours 24-48, while learning (MODEL.md "
            "4.9) acts. tests/test_public.py checks 24-hour counts at 0.3 against 0.9.",
        )
        for scenario, name in STRUCTURE_NAMES.items()
    ]
    claims.append(
        Claim(
            id="5b-integrity",
            essay="001",
            sentence=sentence,
            quote="social media can actually expose the disparity between what a leader "
            "says and what he or she actually does. It can reveal a character gap.",
            lever="culture.leadership_integrity",
            levels=(
                Level("shipped (0.7)", DD),
                Level("say-do gap (0.2)", DD, ("culture.leadership_integrity=0.2",)),
            ),
            kpi="credibility",
            expected="less",
            note="Over five days in direct dial (tests/test_public.py: 36 h, switchboard).",
        )
    )
    return tuple(claims)
