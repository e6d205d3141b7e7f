"""Reading the answers: staff list, filter, review and export the responses of their subtrees."""
