# throwaway: apply hand-typed corrections  id -> {field: value}
import re, sys, json
F = {"ch":0,"g":1,"acc":2,"rt":3,"fl":4,"rf":5,"cat":6,"voice":7,"ans":8}
def fix(path, corr):
    lines = open(path).read().split('\n'); done=set()
    for i,l in enumerate(lines):
        m = re.match(r'(ha-\d{4})([\^&]?) (.*)$', l)
        if m and m.group(1) in corr:
            parts = m.group(3).split('|', 9)
            for k,v in corr[m.group(1)].items(): parts[F[k]] = v
            lines[i] = f"{m.group(1)}{m.group(2)} " + '|'.join(parts); done.add(m.group(1))
    open(path,'w').write('\n'.join(lines))
    print("fixed", len(done), "missing", set(corr)-done)
if __name__ == "__main__":
    fix(sys.argv[1], json.load(open(sys.argv[2])))
