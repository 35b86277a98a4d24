"""dashboard/uid: the dashboard has a ``uid`` of at most 40 characters from ``[A-Za-z0-9_-]``.

The uid is the dashboard's stable URL and the key provisioning uses to update
it in place; without one Grafana invents a new uid on every import (links
break, duplicates appear).  Grafana rejects uids longer than 40 characters
or with other characters.
"""

from __future__ import annotations

import re

from obsgen.lint.dashboards.context import finding
from obsgen.lint.finding import ERROR

ID = "dashboard/uid"
SEVERITY = ERROR
MAX_LENGTH = 40
_VALID = re.compile(r"^[A-Za-z0-9_-]+$")


def check(ctx):
    for dashboard in ctx.dashboards:
        uid = dashboard.data.get("uid")
        path = f"{dashboard.prefix}uid"
        if not isinstance(uid, str) or not uid:
            yield finding(dashboard, path, ID, SEVERITY, "dashboard has no uid")
        elif len(uid) > MAX_LENGTH:
            message = f"uid {uid!r} is {len(uid)} characters; Grafana allows {MAX_LENGTH}"
            yield finding(dashboard, path, ID, SEVERITY, message)
        elif not _VALID.match(uid):
            yield finding(dashboard, path, ID, SEVERITY, f"uid {uid!r} has characters outside [A-Za-z0-9_-]")
