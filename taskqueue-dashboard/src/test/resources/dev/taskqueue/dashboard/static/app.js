// Placeholder for the tests: the dashboard UI (app.js) is in src/main/resources.
export {};
