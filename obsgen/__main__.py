from obsgen.cli import run

# As the installed command: the same usage lines, and `_OBSGEN_COMPLETE` completion works here too.
run()
