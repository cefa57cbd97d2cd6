"""The executives' dashboard (``orgsim dashboard``): two structures side by side.

Modules, one concept each: :mod:`viz.cli` (the command), :mod:`viz.server` (the Solara
server, offline), :mod:`viz.app` (the page), :mod:`viz.session` (one session's
comparison and its background player), :mod:`viz.levers`, :mod:`viz.kpi_cards`,
:mod:`viz.plots`, :mod:`viz.fragments` (what the panels show), :mod:`viz.model_access`
(every read of the model's internals), :mod:`viz.ensemble` and :mod:`viz.export`.
"""
