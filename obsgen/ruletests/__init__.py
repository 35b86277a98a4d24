"""The `obsgen test` command's click module (the rule tests themselves are obsgen.artifacts.ruletests)."""
