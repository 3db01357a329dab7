"""The model: a district's case flow as a SimPy simulation.

Read it in the order a case lives it: ``grid`` (problems occur and are discovered),
``street`` and ``department`` (the units), ``staffing`` (who works where: the staffing plan),
``routing`` (which way a case goes: the routing rule), ``case_flow`` (the life of a case),
``visit`` (one team's visit), ``pool``, ``calendar`` and ``engine`` (people, opening hours and
the event loop), ``steps`` (the step log, which only observes), ``world`` (everything built for
one replication) and ``replication`` (one run turned into record tables). ``load`` estimates offered loads from the plan without simulating.
"""
