"""props.py AS-OF DUE.json: what the regional rollout's reminders must
hold on any day: at most one escalation per person and plan, nobody
overdue on a plan after a session of it in the last 14 days, and
nothing for a person who had left.  Prints one line of counts, and each
breach on a line of its own."""
import collections
import csv
import datetime
import json
import sys

# program.yaml's cadence.training: the topics that count for each plan
TOPICS = {'ambassadors': {'digital-meetings', 'ambassador-forum'},
          'secretaries': {'reception-routine'},
          'managers': {'manager-briefing', 'ambassador-forum'}}

asof = datetime.date.fromisoformat(sys.argv[1])
with open(sys.argv[2]) as f:
    items = json.load(f)
sessions = collections.defaultdict(list)
with open('trainings.csv', newline='') as f:
    for r in csv.DictReader(f):
        sessions[r['person']].append((datetime.date.fromisoformat(r['date']), r['topic']))
with open('people.csv', newline='') as f:
    gone = {r['id'] for r in csv.DictReader(f)
            if r['left'] and datetime.date.fromisoformat(r['left']) <= asof}

escalations = collections.Counter((i['person'], i['plan']) for i in items
                                  if i['kind'] == 'escalation')
breaches = 0
for (person, plan), n in sorted(escalations.items()):
    if n > 1:
        breaches += 1
        print(f'  {n} escalations for {person} on {plan}')
for i in items:
    if i['person'] in gone:
        breaches += 1
        print(f'  {i["id"]} for {i["person"]}, who left')
    if i['kind'] != 'training_refresher' or i['state'] != 'overdue':
        continue
    recent = [d.isoformat() for d, t in sessions[i['person']]
              if t in TOPICS[i['plan']] and 0 <= (asof - d).days <= 14]
    if recent:
        breaches += 1
        print(f'  {i["person"]} overdue on {i["plan"]} after {recent}')
states = collections.Counter(i['state'] for i in items)
print(asof, ' '.join(f'{k} {states[k]}' for k in sorted(states)) + ';',
      'escalations', sum(escalations.values()),
      'most per person and plan', max(escalations.values(), default=0) if escalations else 0,
      'breaches', breaches)
