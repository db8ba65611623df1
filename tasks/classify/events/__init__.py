"""Regulatory events in a story: fines, policy shifts, probes, IPO and merger blocks,
app removals and rectification orders, in English and Chinese.

Rules over sentences, chosen because they are explainable (every event carries
the sentence that produced it) and measured on our own labelled texts and on
real published articles (`regwatch eval`, `regwatch eval --real`). A sentence
yields an event when:
- it has a cue for the kind (fined / 罚款, probe / 立案调查, ...): `cues`;
- a Chinese authority acts in it, or shortly before, and no foreign regulator
  does instead (an EU fine on Google is not our news): `extractor`;
- it concerns the tech sector: a tracked company, or sector words;
- it is not a recap: no older date than the article's, no "which was fined",
  "last year", 此前, 曾 ...: `timing`.
Which amount and which company an action falls on is `attach`; folding the
sentences that report one action into one event is `merging`.

The package imports none of them itself: reading the event model or the recap
window (the known-actions history, a quiet `regwatch run`) must not compile the
extractor's few hundred cues.
"""
