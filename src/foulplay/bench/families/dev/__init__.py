"""Development half: generators written by authors who read the rules. Figures on this half are
training accuracy."""
