"""Assessment rounds, invitations and the answers respondents save through them."""
