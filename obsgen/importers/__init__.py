"""Importers: SLOs written for other tools (Sloth, OpenSLO) as obsgen journey specs."""
