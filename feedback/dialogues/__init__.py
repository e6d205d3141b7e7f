"""Leader–citizen dialogue conferences: scheduling, sign-up with a waiting list, petitions."""
