declare global {
  namespace Express {
    interface Request {
      /** Set by the session middleware for signed-in requests. */
      user?: { id: number };
    }
  }
}

export {};
