"""Tests of reading the answers: the staff responses list, review and exports."""
