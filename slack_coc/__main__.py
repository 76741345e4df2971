"""`python -m slack_coc` is the `slack-coc` command."""

from slack_coc.cli import main

main()
