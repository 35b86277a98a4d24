from obsgen.cli import main

# Named as the installed command: the same usage lines, and `_OBSGEN_COMPLETE` completion works here too.
main(prog_name="obsgen")
