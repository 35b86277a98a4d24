"""How much of a file obsgen reads as a spec (or a profile file): kept apart from the loader so that
what only hashes inputs (obsgen.build.cache, on the way to "up to date") reads no more either."""

# A journey spec is a few kilobytes (the largest in specs/ is under 7 KB); reading more than this is a
# mistake (`/dev/zero`, a log file) that would otherwise exhaust memory before YAML sees it. The limit
# also bounds how long a hostile file of many small keys keeps the loader busy (docs/safety.md).
MAX_SPEC_BYTES = 256 * 1024
