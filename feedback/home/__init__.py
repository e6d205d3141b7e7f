"""The home page: the citizen's way into every feature (rate a service, the next dialogue
conferences, track a question). It sits above the features it links to and reads their
public functions only."""
