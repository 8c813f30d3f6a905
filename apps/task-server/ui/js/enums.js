// The API's enums (docs/api.md §2), in the order people expect them.
export const TASK_TYPES = ['todo', 'reminder', 'calendar_event', 'custom', 'daily_weather', 'weather_alert', 'daily_news', 'news_monitor', 'price_tracker', 'data_backup'];
export const TODO_FAMILY = ['todo', 'reminder', 'calendar_event'];
export const STATUSES = ['pending', 'scheduled', 'running', 'completed', 'failed', 'cancelled', 'paused'];
export const PRIORITIES = ['low', 'medium', 'high', 'urgent'];
export const SCHEDULE_KINDS = ['cron', 'interval', 'once', 'daily', 'weekly', 'monthly'];
export const MISFIRE = ['run_once', 'skip', 'run_all'];
export const label = (v) => String(v).replace(/_/g, ' ');
