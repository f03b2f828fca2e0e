#!/bin/bash
# start.sh W TCPPORT MAXCONN [extra api lines]
W=$1; TP=$2; MC=$3
cd $W
if [ ! -s sim.port ] || ! kill -0 $(cat sim.pid) 2>/dev/null; then
rm -f sim.port
/tmp/att/bin/insi-sim --listen 127.0.0.1:0 --port-file $W/sim.port --cert pki/server.pem --key pki/server.key --ca pki/ca.pem --dataset $W/ds.yaml --journal $W/journal.jsonl > $W/sim.log 2>&1 &
echo $! > $W/sim.pid; sleep 1; fi
port=${INSI_PORT:-$(cat $W/sim.port)}
cat > $W/insgate.yaml <<YAML
api:
  socket: $W/insgate.sock
  socket_mode: "0600"
  max_connections: $MC
  tcp:
    ecoute: "127.0.0.1:$TP"
    tls: {certificat: pki/server.pem, cle: pki/server.key, ca_clients: pki/ca.pem}
$4
insi:
  endpoint: https://localhost:$port/lps
  environment: test
  certificate:
    cert: pki/client.pem
    key: pki/client.key
  ca: pki/ca.pem
  deadlines: {connect_ms: 3000, call_ms: ${CALL_MS:-40000}, request_ms: ${REQ_MS:-60000}}
${INSI_EXTRA}
structure:
  finess: "010000001"
  nom: "EHPAD"
lps:
  idam: "DEMO-IDAM"
  instance: "6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
etat:
  repertoire: etat
cache: {ttl_s: 0}
metriques: {ecoute: "127.0.0.1:0"}
YAML
${BIN:-/tmp/att/bin}/insgated --config $W/insgate.yaml >> $W/d.log 2>&1 &
echo $! > $W/d.pid; sleep 1.2; tail -1 $W/d.log
