"""Alert stage: cluster events into real-world actions, plan alerts by rule, format and deliver them to Slack."""
