# TLS proxy in front of insi-sim that misbehaves. usage: badinsi.py W LISTENPORT MODE
# modes: close_after (close right after each answer, keep-alive header kept),
#        close_late (close 30-80 ms after the answer), rst_mid (every 3rd answer: half then RST),
#        slow (answer trickled over 2 s), mix
import socket, ssl, sys, threading, time, random, struct, re, json
W=sys.argv[1]; LP=int(sys.argv[2]); MODE=sys.argv[3]
D=W+"/pki/"; simport=int(open(W+"/sim.port").read())
sctx=ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sctx.load_cert_chain(D+"server.pem",D+"server.key")
sctx.verify_mode=ssl.CERT_REQUIRED; sctx.load_verify_locations(D+"ca.pem")
cctx=ssl.create_default_context(cafile=D+"ca.pem"); cctx.load_cert_chain(D+"client.pem",D+"client.key")
stats={"posts":0,"rst":0,"closed":0}; lock=threading.Lock(); n=[0]
def read_msg(s, buf):
    while b"\r\n\r\n" not in buf:
        d=s.recv(65536)
        if not d: return None, buf
        buf+=d
    head,rest=buf.split(b"\r\n\r\n",1)
    m=re.search(rb"(?i)content-length:\s*(\d+)",head); L=int(m.group(1)) if m else 0
    while len(rest)<L:
        d=s.recv(65536)
        if not d: return None, buf
        rest+=d
    return head+b"\r\n\r\n"+rest[:L], rest[L:]
def rst(sock):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii",1,0)); sock.close()
def handle(raw):
    try:
        c=sctx.wrap_socket(raw, server_side=True)
    except Exception as e:
        return
    up=cctx.wrap_socket(socket.create_connection(("127.0.0.1",simport)), server_hostname="localhost")
    buf=b""; ubuf=b""
    try:
        while True:
            req,buf=read_msg(c,buf)
            if req is None: break
            with lock: stats["posts"]+=1; n[0]+=1; k=n[0]
            up.sendall(req); res,ubuf=read_msg(up,ubuf)
            mode=MODE if MODE!="mix" else random.choice(["close_after","close_late","rst_mid","ok","slow"])
            if mode=="rst_mid" and k%3==0:
                c.sendall(res[:len(res)//2]); time.sleep(0.01)
                with lock: stats["rst"]+=1
                rst(raw); break
            if mode=="slow":
                for i in range(0,len(res),max(1,len(res)//10)):
                    c.sendall(res[i:i+max(1,len(res)//10)]); time.sleep(0.2)
            else: c.sendall(res)
            if mode=="close_after":
                with lock: stats["closed"]+=1
                c.close(); break
            if mode=="close_late":
                time.sleep(random.uniform(0.0,0.08))
                with lock: stats["closed"]+=1
                rst(raw) if random.random()<0.5 else c.close(); break
    except Exception as e:
        pass
    finally:
        try: up.close()
        except: pass
ls=socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR,1); ls.bind(("127.0.0.1",LP)); ls.listen(128)
def report():
    while True:
        time.sleep(1); open(W+"/badinsi.stats","w").write(json.dumps(stats))
threading.Thread(target=report,daemon=True).start()
while True:
    s,_=ls.accept(); threading.Thread(target=handle,args=(s,),daemon=True).start()
