"""The titles of the journey dashboard's rows, named once: the rows are built with them and the runbook
points to them by name. Apart from the rows, which load grafanalib, so that the runbook does not."""

SLOS = "SLOs and error budget"
ERRORS = "Errors by stage"
FLOW = "Request flow through the stages"
JOURNEY_TIME = "End-to-end journey time"
DEPENDENCIES = "Dependencies"
TRACES = "Distributed trace analysis"
