#!/usr/bin/env python3
"""Writer f review helper: add/remove flags (+wpn, -da) or referrals (ref+asc) on source lines by id.
Run inside scripts/corpus/f_src. usage: f_edit_flags.py f-0001:+wpn,ref+amb ..."""
import sys,glob,re
# usage: id:+flag,+flag,-flag;ref+x  ...
edits={}
for a in sys.argv[1:]:
    i,spec=a.split(':',1); edits[i]=spec
done=set()
for p in glob.glob('*.txt'):
    L=open(p).read().split('\n'); ch=False
    for k,l in enumerate(L):
        m=re.match(r'(f-\d{4}) (.*)',l)
        if not m or m.group(1) not in edits: continue
        f=m.group(2).split('|')
        fl=f[4].split(); rf=f[5].split()
        for op in edits[m.group(1)].split(','):
            kind,name=('ref',op[3:]) if op.startswith('ref') else ('flag',op)
            tgt=rf if kind=='ref' else fl
            sign,name=name[0],name[1:]
            if sign=='+' and name not in tgt: tgt.append(name)
            if sign=='-' and name in tgt: tgt.remove(name)
        f[4]=' '.join(fl); f[5]=' '.join(rf)
        L[k]=m.group(1)+' '+'|'.join(f); ch=True; done.add(m.group(1))
    if ch: open(p,'w').write('\n'.join(L))
miss=set(edits)-done
if miss: print('missing',miss)
