"""KodeKloud Records Store: the reference system obsgen's generated artifacts run against."""
