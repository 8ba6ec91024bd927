"""Model organizations and communities (issue 16): one public page per awardee of a finalized category."""
