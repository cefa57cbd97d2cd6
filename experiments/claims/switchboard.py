"""Essay 003's claims on the four shipped structures: the switchboard slows and dilutes
answers, untrained direct dial makes gaffes, expert routing is only a little better and
coached direct dial works best."""

from __future__ import annotations

from experiments.claims.design import (
    BASELINE,
    DD,
    STRUCTURE_NAMES,
    Claim,
    Level,
)


def _structures(*overrides: str) -> tuple[Level, ...]:
    """The shipped structures as levels (most central first), each with the same
    overrides."""
    return tuple(Level(name, file, overrides) for file, name in STRUCTURE_NAMES.items())


def switchboard_claims() -> tuple[Claim, ...]:
    """Essay 003: "Replacing the old telephone switchboard with a social media filtering
    and forwarding team is no good. Automatically channeling them to identified experts
    who aren't on board is not much better (but a little)." and "Bypassing the
    switchboard without enabling the employees to handle direct dialing may result in
    substandard responses or maybe even in some major commercial or reputational
    hazards."

    All on the four shipped structures over two weeks (the small world).

    Returns
    -------
    tuple of Claim
        ``7a-*``: the switchboard is slower and less authentic than direct dial.
        ``7b-*``: untrained direct dial makes more gaffes per answer than trained
        direct dial and than coached direct dial. ``7c-*``: expert routing beats the
        switchboard, trails coached direct dial, and closes less than half the gap
        between them ("a little"). ``7d-*``: coached direct dial is best on credibility
        and sentiment (against plain direct dial too, where the difference is small)
        and within half an hour of direct dial's mean first response.
    """
    four = _structures()
    sb, dd, er, cdd = range(4)
    sentence_a = "A switchboard team between employees and the public slows and dilutes answers."
    sentence_b = "Direct dial without training and policy produces gaffes."
    sentence_c = "Automatic routing to experts who are not on board is only a little better."
    sentence_d = "Coaching, analytics and a social intranet make direct dial work."
    quote_a = (
        "Replacing the old telephone switchboard with a social media filtering and "
        "forwarding team is no good."
    )
    quote_b = (
        "Bypassing the switchboard without enabling the employees to handle direct "
        "dialing may result in substandard responses or maybe even in some major "
        "commercial or reputational hazards."
    )
    quote_c = (
        "Automatically channeling them to identified experts who aren't on board is not "
        "much better (but a little)."
    )
    quote_d = (
        "Communications professionals who coach the experts instead of insisting of "
        "themselves being the voice of the company [...] a social intranet where they can "
        "get backed up by shared knowledge and easy-to-reach experts is of great help too."
    )

    def pair(a: int, b: int) -> tuple[float, ...]:
        weights = [0.0] * 4
        weights[a], weights[b] = -1.0, 1.0
        return tuple(weights)

    def closure(candidate: int = er) -> tuple[float, ...]:
        weights = [0.0] * 4
        weights[sb], weights[candidate], weights[cdd] = -0.5, 1.0, -0.5
        return tuple(weights)

    common = {"levels": four, "lever": "structure (the four shipped files)", "hours": 336}
    claims = [
        Claim(
            id="7a-slower",
            essay="003",
            sentence=sentence_a,
            quote=quote_a,
            kpi="first_response_hours_mean",
            contrast=pair(dd, sb),
            expected="greater",
            **common,
        ),
        Claim(
            id="7a-diluted",
            essay="003",
            sentence=sentence_a,
            quote=quote_a,
            kpi="answer_authenticity_mean",
            contrast=pair(dd, sb),
            expected="less",
            **common,
        ),
        Claim(
            id="7b-vs-coached",
            essay="003",
            sentence=sentence_b,
            quote=quote_b,
            kpi="gaffe_rate",
            contrast=pair(cdd, dd),
            expected="greater",
            **common,
            note="Gaffes per answer posted; coaching raises the on-board staff's "
            "training from 0.2 by 0.3 x (1 - training) a week.",
        ),
        Claim(
            id="7b-vs-trained",
            essay="003",
            sentence=sentence_b,
            quote=quote_b,
            lever="organization.training",
            levels=(Level("trained (0.8)", DD, ("organization.training=0.8",)), BASELINE),
            kpi="gaffe_rate",
            expected="greater",
            note="Over five days, against the shipped direct dial (training 0.2).",
        ),
        Claim(
            id="7c-better-speed",
            essay="003",
            sentence=sentence_c,
            quote=quote_c,
            kpi="first_response_hours_mean",
            contrast=pair(sb, er),
            expected="less",
            **common,
        ),
        Claim(
            id="7c-better-answered",
            essay="003",
            sentence=sentence_c,
            quote=quote_c,
            kpi="answered_share",
            contrast=pair(sb, er),
            expected="greater",
            **common,
        ),
        Claim(
            id="7c-worse-answered",
            essay="003",
            sentence=sentence_c,
            quote=quote_c,
            kpi="answered_share",
            contrast=pair(cdd, er),
            expected="less",
            **common,
        ),
        Claim(
            id="7c-worse-credibility",
            essay="003",
            sentence=sentence_c,
            quote=quote_c,
            kpi="credibility",
            contrast=pair(cdd, er),
            expected="less",
            **common,
        ),
    ]
    for kpi, lower_is_better in (
        ("first_response_hours_mean", True),
        ("answered_share", False),
        ("answered_within_4h_share", False),
        ("credibility", False),
        ("sentiment", False),
    ):
        claims.append(
            Claim(
                id=f"7c-little-{kpi.removesuffix('_mean').removesuffix('_share')}",
                essay="003",
                sentence=sentence_c,
                quote=quote_c,
                kpi=kpi,
                contrast=closure(),
                expected="greater" if lower_is_better else "less",
                gap=(sb, er, cdd),
                note="'A little' = expert routing closes less than half the gap from the "
                "switchboard to coached direct dial: it lies on the switchboard's side of "
                "their midpoint (contrast expert routing − (switchboard + coached)/2).",
                **common,
            )
        )
    # Against plain direct dial the differences are small (about 0.01 of credibility,
    # with a between-seed sd of the paired difference near 0.008; p about 1e-5 at the
    # default 16 seeds).
    direct = {"levels": (four[dd], four[cdd]), "lever": common["lever"], "hours": 336}
    for kpi in ("credibility", "sentiment"):
        for other in (sb, er):
            claims.append(
                Claim(
                    id=f"7d-{kpi}-vs-{four[other].scenario.removesuffix('.toml')}",
                    essay="003",
                    sentence=sentence_d,
                    quote=quote_d,
                    kpi=kpi,
                    contrast=pair(other, cdd),
                    expected="greater",
                    **common,
                )
            )
        claims.append(
            Claim(
                id=f"7d-{kpi}-vs-direct_dial",
                essay="003",
                sentence=sentence_d,
                quote=quote_d,
                kpi=kpi,
                expected="greater",
                **direct,
            )
        )
    claims.append(
        Claim(
            id="7d-speed-within-half-hour",
            essay="003",
            sentence=sentence_d,
            quote=quote_d,
            kpi="first_response_hours_mean",
            expected="less",
            margin=0.5,
            note="Non-inferiority: coached direct dial's mean first response is less than "
            "half an hour (two ticks) longer than plain direct dial's, the fastest.",
            **direct,
        )
    )
    return tuple(claims)
