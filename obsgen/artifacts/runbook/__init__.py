"""The Markdown runbook of a journey: one section per alert, where every runbook_url points."""
