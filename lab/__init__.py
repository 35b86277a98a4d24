"""The demo lab: the reference stack runner (lab.stack) and failure drills (lab.drill) over the
stack/ assets of this checkout. Checkout-only: the obsgen wheel holds none of it, and obsgen imports
it only from its `stack` and `drill` commands (obsgen/cli/), after obsgen.checkout found it."""
