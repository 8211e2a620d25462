#!/bin/sh
# after.sh: what the implementation team recorded once it went back to the
# surgeons in February 2026.  Run from this directory (or pass -C DIR via
# UPTAKE_ARGS); UPTAKE names the binary (default: uptake on PATH).
set -eu
u() { "${UPTAKE:-uptake}" ${UPTAKE_ARGS:-} "$@"; }

# Workshops with the front-line clinicians of each department, recorded in
# the department: a consultation there counts for the clinicians-consulted
# rule of the clinician-buy-in pack, and topic=content (the pack's
# content_topic) makes it a content-alignment session for its
# clinicians-in-content rule.
u record event --kind consultation --date 2026-02-02 --unit orthopaedics \
  --people lars-nilsson,maja-lund,eva-strand --attr topic=content \
  --note "Journey content workshop with the orthopaedic team"
u record event --kind consultation --date 2026-02-03 --unit general-surgery \
  --people sofia-ek,jonas-wik --attr topic=content \
  --note "Journey content workshop with general surgery"
u record event --kind consultation --date 2026-02-05 --unit urology \
  --people omar-haddad,nils-sund --attr topic=content \
  --note "Journey content workshop with urology"

# Engagement moves up the ladder as the surgeons shape the journey.
u record engagement --person lars-nilsson --level consulted --date 2026-02-02
u record engagement --person sofia-ek --level consulted --date 2026-02-03
u record engagement --person omar-haddad --level consulted --date 2026-02-05
u record engagement --person eva-strand --level involved --date 2026-02-02
u record engagement --person jonas-wik --level involved --date 2026-02-03
u record engagement --person nils-sund --level involved --date 2026-02-05
u record engagement --person lars-nilsson --level bought_in --date 2026-02-20 \
  --note "Agreed to champion the journey in orthopaedics"
u record engagement --person sofia-ek --level bought_in --date 2026-02-24
u record engagement --person omar-haddad --level bought_in --date 2026-03-02

# The champion keeps showing up (the pack counts a champion as active when
# engaged or seen at an event in the last 90 days).
u record event --kind meeting --date 2026-03-10 --unit orthopaedics \
  --people lars-nilsson,eva-strand --attr proposed_by=us --attr outcome=held \
  --attr in_person=yes --note "Go-live readiness review"
