"""Demo data: a believable province to try Lắng Nghe on (`flask seed-demo`)."""
