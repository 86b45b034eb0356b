import express from "express";
import { invoices } from "./routes/invoices";

const app = express();
app.use(express.json());
app.use("/invoices", invoices);

app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
  console.error(err);
  res.status(500).json({ error: "internal error" });
});

app.listen(Number(process.env.PORT ?? 3000));
