"""Citizen satisfaction surveys: the questionnaire, deployments, taking a survey, scoring it."""
