import socket, sys, threading, json, re, time, collections
W=sys.argv[1]; n=int(sys.argv[2]); conc=int(sys.argv[3]); gap=float(sys.argv[4]) if len(sys.argv)>4 else 0
bodies=[{"operateur":"u","traits":{"nom_naissance":"ECETINSI","prenoms":["PIERRE-ALAIN","MURIEL"],"sexe":"M","date_naissance":"2009-07-14"}},
        {"operateur":"u","traits":{"nom_naissance":"ECETINSI","prenoms":["XAVIER","PIERRE-ALAIN"],"sexe":"M","date_naissance":"2009-07-14"}}]
j0=sum(1 for _ in open(W+"/journal.jsonl"))
tot=[0]; st=collections.Counter(); lock=threading.Lock()
def one(i):
    b=json.dumps(bodies[i%2]).encode()
    s=socket.socket(socket.AF_UNIX); s.connect(W+"/insgate.sock"); s.settimeout(60)
    s.sendall(b"POST /v1/ins/recherche HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"%len(b)+b)
    d=b""
    while True:
        x=s.recv(65536)
        if not x: break
        d+=x
    m=re.search(rb"HTTP/1.1 (\d+)",d); body=d.split(b"\r\n\r\n",1)[1]
    js=json.loads(body); a=js.get("appels_insi")
    with lock:
        st[(m.group(1).decode(), js.get("cr") or js.get("code"))]+=1
        if a is None: st["no_appels_insi"]+=1
        else: tot[0]+=a
def worker(k):
    for i in range(k, n, conc):
        one(i); time.sleep(gap)
th=[threading.Thread(target=worker,args=(k,)) for k in range(conc)]
[t.start() for t in th]; [t.join() for t in th]
time.sleep(0.5)
lines=[json.loads(l) for l in open(W+"/journal.jsonl")][j0:]
ids=collections.Counter(l["message_id"] for l in lines)
print("answers", dict(st)); print("sum appels_insi", tot[0], "journal POSTs", len(lines), "dup ids", [x for x in ids.items() if x[1]>1][:3])
