"""Crime recording, investigation plans, supervision, outcomes and the crime admin bureau."""
