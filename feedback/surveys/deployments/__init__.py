"""Deploying published survey versions at agencies: listing, creating, pausing, resuming, ending."""
