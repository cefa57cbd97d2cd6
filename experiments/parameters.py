"""The parameter tables of ``docs/ODD.md``, generated from the scenario schema.

``python -m experiments.parameters`` rewrites the block between
``<!-- parameters:begin -->`` and ``<!-- parameters:end -->`` in ``docs/ODD.md``: one
table per section with each parameter's path, its default (from ``Scenario()``), its
unit, its allowed range (from the schema's constraints), its meaning (the attribute
docstring, which is also its description in ``orgsim schema``) and its source or
rationale (:data:`PARAMETERS` below).

Every parameter of the schema must have a unit and a source here; the script fails,
listing them, when one is missing (a new parameter without documentation) or when an
entry names a parameter the schema no longer has. ``tests/test_docs.py`` checks that the
block in ``docs/ODD.md`` is the one this module renders.
"""

from __future__ import annotations

import sys
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.outputs import atomic_write
from sim.scenario import Scenario

__all__ = [
    "BEGIN",
    "END",
    "ODD",
    "PARAMETERS",
    "Parameter",
    "main",
    "parameters",
    "render",
    "splice",
]

ODD = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"
BEGIN = "<!-- parameters:begin -->"
END = "<!-- parameters:end -->"

#: Order of the tables; ``""`` is the scenario's own top-level keys.
SECTIONS = (
    "",
    "time",
    "structure",
    "culture",
    "organization",
    "silos",
    "levels",
    "channels",
    "arrivals",
    "customers",
    "graph",
    "posting",
    "spread",
    "opinions",
    "broadcast",
    "learning",
    "service",
    "conversation",
    "voice",
    "interventions",
)

_STAGE_SOURCES = {
    "triage": "modelling choice: a few minutes to read and sort a message (6 min).",
    "forward": "modelling choice: a quarter hour to read a thread and pass it on.",
    "draft": "modelling choice: half an hour for an expert to write an answer.",
    "polish": "modelling choice: a quarter hour of editing by comms.",
    "approve": "unused: each approval's mean is the approver's `levels[].approval_hours`.",
    "handoff": "unused: means are `silos[].handoff_hours` / permeability (switchboard) and "
    "`structure.intranet_find_hours` / `offline_find_hours` (direct dial).",
}

#: parameter path -> (unit, source or rationale)
PARAMETERS: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------ top level
    "name": ("text", "modelling choice: a label for outputs and `run.json`."),
    "description": ("text", "modelling choice: a one-line summary shown with the scenario."),
    # ------------------------------------------------------------ time
    "time.tick_minutes": (
        "minutes",
        'MODEL.md 2: "Tick length is a scenario parameter: `tick_minutes`, default 15." '
        "Resolves hour-scale patience; smaller ticks approach the Poisson and M/M/c limits "
        "(MODEL.md 4.1, 6.1).",
    ),
    "time.hours": (
        "hours",
        "modelling choice: two weeks, long enough for coaching and learning to show (world.toml).",
    ),
    # ------------------------------------------------------------ structure
    "structure.kind": (
        "choice",
        "MODEL.md 4.3 (four required structures); essay 003: \"From 'social switchboard' "
        "to 'direct dial'\".",
    ),
    "structure.approval_depth": (
        "levels (count)",
        'MODEL.md 4.3, 4.4; essay 000: "Social Media is indifferent to hierarchy." One '
        "sign-off, the least that shows approval delay.",
    ),
    "structure.cross_claim": (
        "probability",
        'essay 000: "Social interactions on the net are blind to internal silos."; MODEL.md '
        '4.3 ("their own silo first ... A claim may cross silos in proportion to '
        "permeability\"). 0.3 per 15-minute tick: modelling choice, a busy silo's thread "
        "is usually picked up by someone free elsewhere within the hour.",
    ),
    "structure.intranet_find_hours": (
        "hours",
        'essay 003: a social intranet with "easy-to-reach experts ... will speed up '
        'answering the tricky questions"; modelling choice: one tick (15 min).',
    ),
    "structure.offline_find_hours": (
        "hours",
        'MODEL.md 4.3 ("slow or failed when off"); modelling choice: a working day.',
    ),
    "structure.offline_find_probability": (
        "probability",
        'MODEL.md 4.3 ("slow or failed when off"); modelling choice: most searches '
        "without an intranet fail.",
    ),
    "structure.coaching_per_week": (
        "fraction of the training gap per week",
        'essay 003: "Communications professionals who coach the experts instead of '
        'insisting of themselves being the voice of the company"; modelling choice: 0.3 '
        "closes about 70 % of the gap in four weeks.",
    ),
    "structure.coachees_per_coach": (
        "employees per coach",
        "modelling choice: about 20 people per coach; the default comms team (6 front-line "
        "coaches) then covers all on-board staff.",
    ),
    "structure.generalist_quality": (
        "multiplier",
        'MODEL.md 4.3 ("answers as a generalist with lower quality"), 4.5 ("reduced for '
        'generalists"); modelling choice: half.',
    ),
    "structure.analytics_weight_hours": (
        "hours per unit of ln(influence)",
        'essay 003: analytics "to be made aware of which influencers to engage with"; '
        "modelling choice: 4 h ahead per e-fold of followers.",
    ),
    # ------------------------------------------------------------ culture
    "culture.silo_permeability": (
        "share",
        'MODEL.md 2 (lever, essay 000); essay 000: "Is your organization ready to genuinely '
        'remove its silos?" 0.5 a middle value; the lower bound 0.01 keeps delays finite.',
    ),
    "culture.spin": (
        "share",
        'MODEL.md 4.3 ("polished (authenticity × (1 − spin))"); essay 000: "Social Media '
        "doesn't care about your carefully crafted message.\" 0.3: modelling choice.",
    ),
    "culture.honesty": (
        "probability",
        'MODEL.md 4.5; essay 000: "Admit when its wrong and genuinely do everything you can '
        'to fix it". 0.5: the neutral middle.',
    ),
    "culture.product_quality": (
        "share",
        "MODEL.md 4.1, 4.6; essay 001: \"Social media can't improve a 'widget.'\" 0.7: a "
        "decent product.",
    ),
    "culture.service_attitude": (
        "share",
        "essay 001: \"Socia media can't improve customer service ... what I'm talking about "
        'is an attitude." 0.7, as quality.',
    ),
    "culture.leadership_integrity": (
        "share",
        'essay 001: social media "can actually expose the disparity between what a leader '
        'says and what he or she actually does"; MODEL.md 4.8, 4.9. 0.7, as quality.',
    ),
    "culture.listening": (
        "share",
        'essay 004: "most companies using social media today are really bad listeners"; '
        "MODEL.md 4.8. 0.5 leaves reply speed unscaled (0.5 + listening = 1).",
    ),
    "culture.social_intranet": (
        "true/false",
        'essay 003: "a social intranet where they can get backed up by shared knowledge and '
        'easy-to-reach experts"; off in the world, on in coached direct dial.',
    ),
    "culture.analytics": (
        "true/false",
        'essay 003: "some analytical support ... to be made aware of which influencers to '
        'engage with"; off in the world, on in coached direct dial.',
    ),
    # ------------------------------------------------------------ organization
    "organization.n_employees": (
        "employees",
        "modelling choice: a mid-sized company of 200 in five silos; up to 10^4 and beyond "
        "(MODEL.md 2; benchmark_1m has 10,000).",
    ),
    "organization.capacity": (
        "work-hours per hour",
        'MODEL.md 2 ("capacity: work-hours per hour"); 1 = one full-time person.',
    ),
    "organization.onboard_share": (
        "share",
        'essay 003 (experts "who aren\'t on board"); modelling choice: 0.3 in direct dial; '
        "0 in switchboard, expert routing and the 2016 calibration.",
    ),
    "organization.empowered_share": (
        "share",
        "essay 003: \"'Direct dial' translates ... into 'Enabled and Empowered Employees'\"; "
        "modelling choice: half of those on board.",
    ),
    "organization.social_share_onboard": (
        "share of capacity",
        "modelling choice: on-board staff give social work half their time.",
    ),
    "organization.social_share_offboard": (
        "share of capacity",
        'MODEL.md 4.3 expert routing ("a small share of capacity"); 0.1, modelling choice; '
        "0.3 in the 2016 calibration (typical_brand_2016).",
    ),
    "organization.offboard_engagement": (
        "multiplier",
        'MODEL.md 4.3 ("answer later and less engaged"); essay 003: "not much better (but a '
        'little)". 0.6: modelling choice.',
    ),
    "organization.liaisons_per_silo": (
        "managers per silo",
        'MODEL.md 4.3 switchboard step 3 ("the owning silo\'s liaison"): one.',
    ),
    "organization.training": (
        "share",
        'essay 003: "A social communications policy coupled with thorough training of '
        'employees". 0.2: little training, so untrained direct dial makes gaffes.',
    ),
    "organization.comms_training": (
        "share",
        "modelling choice: communication professionals are trained (0.8).",
    ),
    "organization.authenticity": (
        "share",
        'essay 000: "your guy in the field who is out there tweeting about how things really '
        'are has a lot more credibility than you do." 0.8.',
    ),
    "organization.comms_authenticity": (
        "share",
        'essay 000 ("your carefully crafted message"); 0.6, below the staff\'s own voice.',
    ),
    "organization.expertise_own": (
        "share",
        'MODEL.md 2 ("high in the own silo\'s topics"); essay 003: "the folks who know '
        'things for real, from experience, the experts". 0.9.',
    ),
    "organization.expertise_other": (
        "share",
        'MODEL.md 2 ("low elsewhere"); 0.2.',
    ),
    # ------------------------------------------------------------ silos
    "silos[].name": (
        "text",
        'MODEL.md 2 ("The `comms` silo hosts the social-media team"); the world\'s other '
        "four are a generic company's departments.",
    ),
    "silos[].share": (
        "relative weight",
        "modelling choice: comms 5 % (10 of 200 people), product the largest.",
    ),
    "silos[].topics": (
        "topic names",
        'MODEL.md 2 ("Each owns topics"); two per department, so that traffic spans silos.',
    ),
    "silos[].topic_weight": (
        "relative weight per topic",
        "modelling choice: equal traffic on every topic.",
    ),
    "silos[].handoff_hours": (
        "hours",
        'MODEL.md 4.3 ("a handoff across silos whose delay grows as permeability falls"); '
        "modelling choice: 2 h into a department, 1 h into comms, at no wall.",
    ),
    # ------------------------------------------------------------ levels
    "levels[].name": (
        "text",
        'MODEL.md 2 ("0 is front line, top is executives"); four levels.',
    ),
    "levels[].approval_hours": (
        "hours",
        'MODEL.md 2 ("Each has an approval delay"); modelling choice: 1, 4, 12, 24 h, a '
        "day at the top.",
    ),
    "levels[].voice_weight": (
        "multiplier",
        'MODEL.md 4.5 ("It is a parameter per level"); about 1, since `[voice]` carries the '
        "speaker's main effect.",
    ),
    "levels[].span_of_control": (
        "people per manager",
        "MODEL.md 2; modelling choice: 8, 6, 5, narrowing upward.",
    ),
    # ------------------------------------------------------------ channels
    "channels[].name": (
        "text",
        'essay 002: "Twitter is great for ongoing broad communications, LinkedIn is '
        "excellent for interacting with your professional network, while blogging allows "
        'you to develop a richer discussion".',
    ),
    "channels[].share": (
        "relative weight",
        "modelling choice: the broad, fast channel carries most traffic (0.6, 0.25, 0.15); "
        "0.8, 0.15, 0.05 in the 2016 calibration.",
    ),
    "channels[].patience_hours": (
        "hours",
        "calibration (typical_brand_2016): about 70 % of complainers expect an answer "
        "within the hour (Lithium Technologies / Millward Brown Digital 2013), there "
        "0.5, 24, 72 h; the world uses 2, 12, 48 h (fast < professional < long-form).",
    ),
    "channels[].patience": (
        "choice",
        "modelling choice: exponential (memoryless abandonment, as in Erlang-A); fixed and "
        "infinite for validation (MODEL.md 6.1 needs infinite patience).",
    ),
    "channels[].reach": (
        "multiplier",
        'MODEL.md 2 ("reach multiplier"); 1 on every default channel: follower counts '
        "carry reach (essay 002: reach is not the key metric).",
    ),
    "channels[].reshare": (
        "probability per follower per tick",
        "MODEL.md 4.2; modelling choice: below the bond-percolation threshold 1/⟨k⟩ ≈ 0.1 "
        "of the default graph even for gaffes (4 × 0.01), so most threads stay local "
        "(MODEL.md 6.4).",
    ),
    "channels[].visible_hours": (
        "hours",
        'MODEL.md 2 ("how long a thread stays visible"); modelling choice: 2, 3, 10 days.',
    ),
    # ------------------------------------------------------------ arrivals
    "arrivals.mode": (
        "choice",
        'MODEL.md 4.1: "Arrival processes must be able to reduce to a Poisson process ... '
        'so that queueing-theory limits can be checked" (MODEL.md 6.1, 6.2).',
    ),
    "arrivals.threads_per_hour": (
        "threads per hour",
        "modelling choice: near the customer-mode world's volume (about 12 to 15 an hour).",
    ),
    "arrivals.complaint": (
        "relative weight",
        "modelling choice: half of all threads are complaints.",
    ),
    "arrivals.question": ("relative weight", "modelling choice: 40 % questions."),
    "arrivals.praise": ("relative weight", "modelling choice: 10 % praise."),
    "arrivals.influence_sigma": (
        "log-scale standard deviation",
        "modelling choice: lognormal follower counts, one e-fold of spread.",
    ),
    # ------------------------------------------------------------ service
    **{
        f"service.{stage}.distribution": (
            "choice",
            'MODEL.md 4.4 ("fixed, exponential (geometric in ticks) or lognormal"); '
            "exponential, the queueing-theory case (MODEL.md 6.1).",
        )
        for stage in _STAGE_SOURCES
    },
    **{
        f"service.{stage}.mean_hours": ("hours", source) for stage, source in _STAGE_SOURCES.items()
    },
    **{
        f"service.{stage}.sigma": (
            "log-scale standard deviation",
            "MODEL.md 4.4 (lognormal option); 0.5, modelling choice.",
        )
        for stage in _STAGE_SOURCES
    },
    "service.expertise_slowdown": (
        "multiplier",
        'MODEL.md 4.4 ("scaled by the server\'s expertise"); 1: at expertise 0 a draft '
        "takes twice as long.",
    ),
    # ------------------------------------------------------------ conversation
    "conversation.gaffe_base": (
        "probability per answer",
        'essay 003: "may result in substandard responses or maybe even in some major '
        'commercial or reputational hazards"; MODEL.md 4.5. 0.1: modelling choice.',
    ),
    "conversation.followup_probability": (
        "probability",
        'essay 002: "Conversation. What is conversation? It\'s a two-way dialogue"; '
        "MODEL.md 4.6. 0.3: modelling choice.",
    ),
    "conversation.followup_hours": ("hours", "modelling choice: a reply within a couple of hours."),
    "conversation.max_turns": (
        "answers per thread",
        "modelling choice: a conversation ends after five answers.",
    ),
    # ------------------------------------------------------------ voice
    "voice.expert": (
        "multiplier",
        'trust surveys, as MODEL.md 4.5: "technical experts and employees above CEOs and '
        'brands"; essay 000: "your guy in the field ... has a lot more credibility than you '
        'do". The top weight, 1.',
    ),
    "voice.generalist": (
        "multiplier",
        "trust surveys (MODEL.md 4.5): an employee is believed less than an expert but more "
        "than a CEO; 0.8.",
    ),
    "voice.brand": (
        "multiplier",
        'trust surveys (MODEL.md 4.5): brands last; essay 000: "You can go ahead and assume '
        "that your authority voice isn't going to work here.\" 0.5.",
    ),
    "voice.executive": (
        "multiplier",
        'trust surveys (MODEL.md 4.5): CEOs below experts and employees; essay 000: "Your '
        "title is completely irrelevant to the conversation if you don't have something "
        'authentic to say." 0.6.',
    ),
    # ------------------------------------------------------------ customers
    "customers.n_customers": (
        "customers",
        "modelling choice: 20,000 keeps runs fast; up to 10^6 and beyond (MODEL.md 2; "
        "benchmark_1m).",
    ),
    "customers.sentiment_mean": (
        "sentiment in [-1, 1]",
        "modelling choice: a slightly positive public.",
    ),
    "customers.sentiment_sd": (
        "sentiment units",
        "modelling choice: few fans and detractors at the start (about 9 % and 2 %).",
    ),
    "customers.trust_initial": ("share", "modelling choice: the neutral middle, 0.5."),
    "customers.fan_threshold": (
        "sentiment in [-1, 1]",
        'MODEL.md 2 ("fan: sentiment ≥ fan threshold"); symmetric with detractors.',
    ),
    "customers.detractor_threshold": (
        "sentiment in [-1, 1]",
        'MODEL.md 2 ("detractor: sentiment ≤ detractor threshold").',
    ),
    "customers.activity_sigma": (
        "log-scale standard deviation",
        'MODEL.md 4.1 ("with heterogeneity across customers"); 1: a heavy tail of very '
        "active customers.",
    ),
    "customers.brand_follower_share": (
        "share",
        'MODEL.md 4.8 ("Broadcasts reach followers of the brand"); modelling choice: 30 %.',
    ),
    # ------------------------------------------------------------ graph
    "graph.kind": (
        "choice",
        "MODEL.md 2 (generators, complete graph, edge list); Holme-Kim by default: "
        "heavy-tailed and clustered, like follower networks.",
    ),
    "graph.m": (
        "edges per new customer",
        "Holme and Kim 2002, Barabási and Albert 1999; 5 gives a mean degree of about 10.",
    ),
    "graph.p_triangle": (
        "probability",
        "Holme and Kim 2002; 0.1, modest clustering; at most 0.5, where the vectorized "
        "generator matches the sequential one (sim.graph).",
    ),
    "graph.k": (
        "neighbours",
        "Watts and Strogatz 1998; 10, the default mean degree.",
    ),
    "graph.p_rewire": (
        "probability",
        "Watts and Strogatz 1998; 0.1, the small-world regime.",
    ),
    "graph.mean_degree": (
        "neighbours",
        "Erdős-Rényi; the cascade-threshold validation varies it (MODEL.md 6.4: threshold 1/⟨k⟩).",
    ),
    "graph.path": ("file path", 'MODEL.md 2 ("an edge-list file").'),
    # ------------------------------------------------------------ posting
    "posting.problem_rate": (
        "problems per customer-hour",
        "MODEL.md 4.1 (`base_issue_rate × (1 − quality)`); modelling choice: about 12 "
        "problems an hour among the world's 20,000 customers.",
    ),
    "posting.attitude_weight": (
        "share",
        "essay 001: problems come from the widget and from the service attitude; 0.3, "
        "modelling choice.",
    ),
    "posting.post_probability": (
        "probability",
        'MODEL.md 4.1 ("They post complaints publicly with a probability that grows with '
        'negative sentiment"); 0.2, modelling choice.',
    ),
    "posting.post_negativity": (
        "probability per unit of negative sentiment",
        "MODEL.md 4.1 (as above); 0.4: an angry customer (sentiment -1) posts 60 % of problems.",
    ),
    "posting.question_rate": (
        "questions per customer-hour",
        "modelling choice: about 8 questions an hour in the world.",
    ),
    "posting.praise_rate": (
        "posts per fan-hour",
        'MODEL.md 3 step 2 ("Fans post praise"); modelling choice.',
    ),
    # ------------------------------------------------------------ spread
    "spread.view_share": (
        "probability",
        "modelling choice: 60 % of an author's followers see a new post.",
    ),
    "spread.complaint": (
        "multiplier",
        'MODEL.md 4.2 ("channel × kind × state"); complaints are the reference, 1.',
    ),
    "spread.question": (
        "multiplier",
        "MODEL.md 4.2; modelling choice: questions interest few others (0.3).",
    ),
    "spread.praise": ("multiplier", "MODEL.md 4.2; modelling choice: 0.7."),
    "spread.unanswered_complaint": (
        "multiplier",
        'MODEL.md 4.2 ("unanswered complaints spread more"): negativity bias, 2.',
    ),
    "spread.gaffe": ("multiplier", 'MODEL.md 4.2 ("gaffes spread most"): 4.'),
    "spread.answered": ("multiplier", 'MODEL.md 4.2 ("answered threads cool down"): 0.3.'),
    # ------------------------------------------------------------ opinions
    "opinions.problem": (
        "sentiment units",
        'MODEL.md 4.7 ("having a problem: down"); 0.1, modelling choice.',
    ),
    "opinions.ignored": (
        "sentiment units",
        'MODEL.md 4.6, 4.7 ("being ignored: down"); 0.15, worse than the problem itself.',
    ),
    "opinions.answered": (
        "sentiment units",
        'MODEL.md 4.7 ("a quick answer: up"); 0.1 at quality 1.',
    ),
    "opinions.resolved": (
        "sentiment units",
        'MODEL.md 4.7 ("more when it resolves"); 0.2.',
    ),
    "opinions.fast_bonus": (
        "sentiment units",
        'MODEL.md 4.7 ("more when it is fast"); 0.1.',
    ),
    "opinions.fast_hours": (
        "hours",
        "calibration: about 70 % of complainers expect an answer within an hour (Lithium "
        "Technologies / Millward Brown Digital 2013), so the bonus decays over 1 h.",
    ),
    "opinions.seen_complaint": (
        "sentiment units per exposure",
        "MODEL.md 4.7 (\"others' unanswered complaints: down\"); a tenth of one's own problem.",
    ),
    "opinions.seen_answer": (
        "sentiment units per exposure",
        'MODEL.md 4.7 ("authentic, helpful answers: up, weighted by voice"); 0.02.',
    ),
    "opinions.seen_gaffe": (
        "sentiment units per exposure",
        'MODEL.md 4.5 ("a public incident that hurts sentiment and trust among those who '
        'see it"); 0.04, four times a complaint.',
    ),
    "opinions.trust_rate": (
        "fraction per tick",
        'MODEL.md 4.7 ("Trust moves toward the authenticity × voice × honesty of what the '
        'customer sees"); 0.2, modelling choice.',
    ),
    "opinions.gaffe_trust": (
        "trust units per exposure",
        "MODEL.md 4.5 (gaffes hurt trust); 0.05.",
    ),
    "opinions.admit_bonus": (
        "trust units",
        "MODEL.md 4.5 (\"Admission raises trust ('stealing thunder')\"; Arpan and "
        "Roskos-Ewoldsen 2005, proactive disclosure raises credibility); 0.1.",
    ),
    "opinions.spin_boost": (
        "trust units",
        'MODEL.md 4.5 ("Spin raises trust briefly"); 0.03, smaller than admitting.',
    ),
    "opinions.spin_found_probability": (
        "probability",
        "essay 000: \"If you're glossing over the truth, you will be found out and "
        'discredited."; 0.3, modelling choice.',
    ),
    "opinions.spin_found_hours": (
        "hours",
        "essay 000 (as above); modelling choice: found out in about two days.",
    ),
    "opinions.spin_penalty": (
        "trust units",
        'MODEL.md 4.5 ("then costs more when it is found out"): five times the boost.',
    ),
    "opinions.memory_hours": (
        "hours",
        "modelling choice: sentiment shocks fade over about a month.",
    ),
    "opinions.p_innovation": (
        "hazard per period",
        "Bass 1969 (MODEL.md 4.7); literature average p = 0.03 per period (MODEL.md 6.3, "
        "used by the Bass validation); the world uses 0.005 per week, a modelling choice.",
    ),
    "opinions.q_imitation": (
        "hazard per period",
        'Bass 1969; essay 003: fans "communicate with non-fans to turn them into new fans"; '
        "literature average q = 0.38 per period (MODEL.md 6.3); the world uses 0.2 per week.",
    ),
    "opinions.bass_period_hours": (
        "hours",
        "modelling choice: p and q are per week (168 h).",
    ),
    # ------------------------------------------------------------ broadcast
    "broadcast.rate_per_hour": (
        "broadcasts per hour",
        'essay 004: "Us, us, us. Talk, talk, talk."; modelling choice: one an hour at the '
        "default listening of 0.5.",
    ),
    "broadcast.sentiment": (
        "sentiment units per broadcast",
        'MODEL.md 4.8 ("They move sentiment little"); 0.0002: at about one broadcast an '
        "hour it adds about 0.03 to a follower's sentiment over two weeks (0.002 added "
        "about 0.47 and drove sentiment up in every structure).",
    ),
    "broadcast.say_do_trust": (
        "trust units per broadcast",
        'essay 001 (the say-do gap); MODEL.md 4.8 ("lose trust when they contradict '
        'experience"); 0.01.',
    ),
    "broadcast.unfollow": (
        "probability per broadcast",
        'essay 004: "Noise, noise noise. Seriously, shut it already."; MODEL.md 1 '
        '("Broadcasting without listening ... loses the audience"); 0.01.',
    ),
    # ------------------------------------------------------------ learning
    "learning.rate": (
        "quality per complaint",
        'MODEL.md 4.9; essay 000: whoever monitors the feed "is empowered to get it fixed. '
        'Now."; 0.002, modelling choice (weeks to show).',
    ),
    "learning.switchboard_fidelity": (
        "share",
        'MODEL.md 4.9 ("A switchboard\'s paraphrase loses fidelity"); half.',
    ),
    "learning.min_fidelity": (
        "share",
        'MODEL.md 4.9 ("with enough fidelity"); 0.3, modelling choice.',
    ),
    # ------------------------------------------------------------ interventions
    "interventions[].at_hours": (
        "hours",
        'MODEL.md 4.10 ("at a given hour set or ramp levers").',
    ),
    "interventions[].label": ("text", "modelling choice: names the change in outputs."),
    "interventions[].set": (
        "lever = value",
        "MODEL.md 4.10 (switch structure, training, silo wall, approvals, product fix).",
    ),
    "interventions[].ramp_hours": (
        "hours",
        'MODEL.md 4.10 ("a training programme that raises training by x per week"): a linear ramp.',
    ),
    "interventions[].crisis.topic": (
        "topic name",
        'MODEL.md 4.10 ("a crisis (a burst of complaints on one topic)").',
    ),
    "interventions[].crisis.threads": ("threads", "MODEL.md 4.10 (as above)."),
    "interventions[].crisis.hours": ("hours", "MODEL.md 4.10 (as above)."),
}


@dataclass(frozen=True)
class Parameter:
    """One row of a parameter table."""

    path: str
    section: str
    default: str
    unit: str
    allowed: str
    meaning: str
    source: str


# ------------------------------------------------------------------ the schema


def _model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """(the section model inside an annotation, whether it is an array of them)."""
    candidates = (annotation, *typing.get_args(annotation))
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate, typing.get_origin(annotation) is tuple
    return None, False


def _leaves(
    model: type[BaseModel], prefix: str = "", context: str = ""
) -> Iterator[tuple[str, FieldInfo, str]]:
    """(path, field, the parent fields' descriptions) of every leaf parameter."""
    for name, field in model.model_fields.items():
        inner, array = _model_of(field.annotation)
        if inner is None:
            yield prefix + name, field, context
            continue
        path = prefix + name + ("[]" if array else "")
        is_section = not prefix and not array
        note = "" if is_section or array else _clean(field.description or "")
        yield from _leaves(inner, path + ".", f"{context} {note}".strip())


def parameter_paths() -> list[str]:
    """Every leaf parameter path of the schema, e.g. ``silos[].handoff_hours``."""
    return [path for path, _, _ in _leaves(Scenario)]


# ------------------------------------------------------------------ formatting


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(value)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + "}"
    if value is None:
        return "none"
    return str(value)


def _clean(text: str) -> str:
    return " ".join(text.replace("``", "`").split()).replace("|", "\\|")


def _dig(document: Any, keys: list[str]) -> Any:
    for key in keys:
        document = document[key]
    return document


def _default(path: str, field: FieldInfo) -> str:
    """The default of ``Scenario()``; for arrays of tables, each default entry's value."""
    defaults = Scenario().model_dump(mode="python")
    head, _, rest = path.partition("[]")
    if not rest:
        return f"`{_value(_dig(defaults, path.split('.')))}`"
    entries = defaults[head]
    keys = rest.lstrip(".").split(".")
    if field.is_required():
        new_entry = ""
    else:
        new_entry = f"`{_value(field.get_default(call_default_factory=True))}`"
    if not entries:
        return f"no entries; in an entry: {new_entry or 'required'}"
    values = [_dig(entry, keys) for entry in entries]
    names = [entry.get("name", str(i)) for i, entry in enumerate(entries)]
    if keys == ["name"]:
        return ", ".join(f"`{v}`" for v in values)
    if all(v == values[0] for v in values):
        shown = f"`{_value(values[0])}` (all {len(values)})"
    else:
        shown = " · ".join(f"{n} `{_value(v)}`" for n, v in zip(names, values, strict=True))
    if new_entry and not all(v == field.get_default() for v in values):
        shown += f"; new entry {new_entry}"
    return shown


def _allowed(field: FieldInfo) -> str:
    """The allowed range, from the schema's constraints."""
    annotation = field.annotation
    lower = upper = ""
    extra = []
    for item in field.metadata:
        if isinstance(item, annotated_types.Ge):
            lower = f"[{_number(item.ge)}"
        elif isinstance(item, annotated_types.Gt):
            lower = f"({_number(item.gt)}"
        elif isinstance(item, annotated_types.Le):
            upper = f"{_number(item.le)}]"
        elif isinstance(item, annotated_types.Lt):
            upper = f"{_number(item.lt)})"
        elif isinstance(item, annotated_types.MinLen):
            extra.append(f"at least {item.min_length}")
        elif isinstance(item, annotated_types.MaxLen):
            extra.append(f"at most {item.max_length}")
        elif getattr(item, "pattern", None):
            extra.append(f"pattern `{item.pattern}`")
    if typing.get_origin(annotation) is typing.Literal:
        return "one of " + ", ".join(f"`{a}`" for a in typing.get_args(annotation))
    if annotation is bool:
        return "true, false"
    if lower or upper:
        kind = "integer " if annotation is int else ""
        return f"{kind}{lower or '(-inf'}, {upper or 'inf)'}"
    origin = typing.get_origin(annotation)
    if origin is tuple:
        what = "list of text"
    elif origin is dict:
        what = "table of lever paths"
    elif type(None) in typing.get_args(annotation):
        what = "text or none"
    else:
        what = "text"
    if extra:
        what += " (" + ", ".join(extra).replace("at least", "length at least", 1) + ")"
    return what


# ------------------------------------------------------------------ rendering


def parameters() -> list[Parameter]:
    """Every parameter with its documentation. Raises ``SystemExit`` naming any parameter
    without a unit and source in :data:`PARAMETERS`, or any entry the schema lacks."""
    leaves = list(_leaves(Scenario))
    paths = [path for path, _, _ in leaves]
    missing = [p for p in paths if p not in PARAMETERS]
    stale = sorted(set(PARAMETERS) - set(paths))
    undescribed = [path for path, field, _ in leaves if not field.description]
    problems = []
    if missing:
        problems.append("parameters without a unit and source in PARAMETERS: " + ", ".join(missing))
    if stale:
        problems.append("PARAMETERS names parameters the schema lacks: " + ", ".join(stale))
    if undescribed:
        problems.append("parameters without an attribute docstring: " + ", ".join(undescribed))
    if problems:
        raise SystemExit("experiments.parameters: " + "; ".join(problems))
    rows = []
    for path, field, context in leaves:
        unit, source = PARAMETERS[path]
        meaning = _clean(field.description or "")
        if context:
            meaning = f"{context} {meaning}"
        section = path.split("[]")[0].split(".")[0] if "." in path else ""
        rows.append(
            Parameter(
                path=path,
                section=section,
                default=_default(path, field),
                unit=unit,
                allowed=_allowed(field),
                meaning=meaning,
                source=_clean(source),
            )
        )
    return rows


def _section_heading(section: str) -> list[str]:
    if not section:
        return ["#### Top level", ""]
    field = Scenario.model_fields[section]
    _, array = _model_of(field.annotation)
    title = f"#### `[[{section}]]`" if array else f"#### `[{section}]`"
    lines = [title, ""]
    note = _clean(field.description or "")
    if array:
        bounds = {type(m): m for m in field.metadata}
        low = bounds.get(annotated_types.MinLen)
        high = bounds.get(annotated_types.MaxLen)
        sizes = ""
        if low is not None and high is not None:
            sizes = f" of {low.min_length} to {high.max_length} entries"
        note += f" An array of tables{sizes}; each entry has the keys below."
    lines += [note, ""]
    return lines


def render() -> str:
    """The generated block, markers included."""
    rows = parameters()
    by_section: dict[str, list[Parameter]] = {}
    for row in rows:
        by_section.setdefault(row.section, []).append(row)
    unknown = set(by_section) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"experiments.parameters: sections without a table: {sorted(unknown)}")
    lines = [
        BEGIN,
        "<!-- Generated by `python -m experiments.parameters`; edit the schema's docstrings",
        "     and experiments/parameters.py, not this block. -->",
        "",
    ]
    for section in SECTIONS:
        lines += _section_heading(section)
        lines += [
            "| parameter | default | unit | allowed | meaning | source or rationale |",
            "|---|---|---|---|---|---|",
        ]
        for r in by_section.get(section, []):
            lines.append(
                f"| `{r.path}` | {r.default} | {r.unit} | {r.allowed} | {r.meaning} | {r.source} |"
            )
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def splice(document: str, block: str) -> str:
    """``document`` with the text between the markers (inclusive) replaced by ``block``."""
    start, end = document.find(BEGIN), document.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"experiments.parameters: {ODD} lacks the markers {BEGIN} ... {END}")
    return document[:start] + block + document[end + len(END) :]


def main(argv: list[str] | None = None) -> int:
    """Rewrite the parameter block of ``docs/ODD.md`` (atomically)."""
    path = Path(argv[0]) if argv else ODD
    text = splice(path.read_text(encoding="utf-8"), render())
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    print(f"{path}: {len(parameters())} parameters")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
