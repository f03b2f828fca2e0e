import socket, sys, time, subprocess
n=int(sys.argv[1]); hold=float(sys.argv[2]); mode=sys.argv[3] if len(sys.argv)>3 else "none"
ss=[]
for i in range(n):
    s=socket.create_connection(("127.0.0.1",18443))
    if mode=="half":
        # first 50 bytes of a TLS ClientHello record header claiming 512 bytes
        s.send(bytes([0x16,3,1,2,0,1,0,1,0xfc,3,3])+b"\x00"*20)
    ss.append(s)
t0=time.time()
def health():
    r=subprocess.run(["curl","-sS","--max-time","5","--unix-socket","/tmp/att/w1/insgate.sock","http://x/v1/health","-o","/dev/null","-w","%{http_code}"],capture_output=True,text=True)
    return r.stdout
print("unix health while held:", health(), "t=%.2f"%(time.time()-t0))
# how long are they held?
for s in ss: s.settimeout(hold)
closed=[]
for s in ss:
    try:
        d=s.recv(100); closed.append(("eof" if d==b"" else "data", round(time.time()-t0,2)))
    except Exception as e: closed.append((type(e).__name__, round(time.time()-t0,2)))
print(closed[:3], closed[-1])
print("unix health after:", health())
