"""obsgen: compile user-journey specs into dashboards, alerts and impact maps."""

__version__ = "0.1.0"
