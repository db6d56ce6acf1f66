import { authFromEnv, createApp } from './app.ts';

const port = Number(process.env.PORT ?? 8080);
const server = createApp({ auth: authFromEnv() }).listen(port, '0.0.0.0', () => console.log(`backend-service listening on ${port}`));
// ECS stops tasks with SIGTERM: finish the requests in flight, then exit.
process.on('SIGTERM', () => server.close(() => process.exit(0)));
