import express from "express";
import { session } from "./middleware/session";
import { projects } from "./routes/projects";

const app = express();
app.use(express.json());
app.use(session);
app.use("/projects", projects);

app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
  console.error(err);
  res.status(500).json({ error: "internal error" });
});

app.listen(Number(process.env.PORT ?? 3000));
