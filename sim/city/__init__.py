"""City scale: a whole city as independent district simulations.

A city file (``scenarios/beijing_city.yaml``) is a district scenario plus a ``city`` block that
lists the districts and sizes the city's volume. ``spec`` turns it into one validated
``Scenario`` per district; ``run`` simulates the districts in parallel, each writing its own
partition of ``cases.parquet``; ``aggregate`` and ``figures`` summarise the partitioned dataset
one partition at a time, so memory stays bounded whatever the size of the city.
"""
