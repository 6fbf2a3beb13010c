// The floor for cold start: a plain node:http server answering discovery (what `node` alone costs).
import { createServer } from 'node:http';
const port = Number(process.env.PORT);
const body = JSON.stringify({ issuer: `http://127.0.0.1:${port}/` });
createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
}).listen(port, '127.0.0.1');
