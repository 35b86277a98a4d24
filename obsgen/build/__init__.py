"""The build: the only code that runs the stages (load → emit every artifact kind → validate → publish).

pipeline.py runs them; writer.py publishes crash-safely; membership.py remembers which journeys were
built together; validation.py runs the checks of every kind over all staged directories at once;
emit_pool.py emits journeys in parallel; cache.py answers builds and rule-test runs that ran before.
"""
