/** The alerts panel (health page and the tenant's alerts page), in English (alerts.es.ts has exactly these keys). */
export const alertsEn = {
  alerts: {
    nav: 'Alerts',
    title: 'Alerts',
    subtitle:
      'Rules the platform checks every few seconds; each alert fires once when its figure stays across the threshold for the set time, and resolves once when it is back.',
    platformTitle: 'Platform alerts',
    rules: 'Rules',
    noRules: 'No alert rules yet.',
    recent: 'Recent alerts',
    noRecent: 'Nothing has fired yet.',
    failures: 'Notifications not delivered',
    noFailures: 'Every notification was delivered.',
    columns: {
      name: 'Rule',
      kind: 'Watches',
      threshold: 'Threshold',
      forSeconds: 'For',
      channels: 'Channels',
      status: 'Status',
      value: 'Now',
    },
    status: { ok: 'OK', pending: 'Pending', firing: 'Firing' },
    transition: { fired: 'Fired', resolved: 'Resolved' },
    kinds: {
      processor_lag: 'Processor lag (s)',
      error_rate: 'Server error rate (%)',
      provider_failures: 'Failing providers',
      sla_breach_burst: 'SLA breaches in 15 min',
      usage_cap: 'Usage of the plan cap (%)',
      disk_space: 'Free disk (MB, fires below)',
    },
    channelKinds: { telegram: 'Telegram', slack: 'Slack', email: 'Email' },
    channels: {
      title: 'Alert channels',
      subtitle:
        "The platform's own Telegram chats, Slack channels and mailboxes that its alert rules tell. Their secrets (a bot token, a webhook URL) are stored sealed and never shown again.",
      none: 'No alert channel yet: add one below.',
      add: 'Add an alert channel',
    },
    form: {
      title: 'Set a rule',
      ruleId: 'Rule id',
      name: 'Name',
      kind: 'Watches',
      threshold: 'Threshold',
      forSeconds: 'For (seconds)',
      channels: 'Channels',
      channelsHint:
        'Connections of the integrations page; each is told when the alert fires and when it resolves.',
      platformChannelsHint:
        'The alert channels below; each is told when the alert fires and when it resolves.',
      noChannels: 'No Telegram, Slack or email connection yet: the alert is recorded and shown here only.',
      disabled: 'disabled',
      save: 'Save rule',
      saved: 'Rule saved',
      remove: 'Remove',
      removed: 'Rule removed',
    },
    attempts: '{count} attempts',
    seconds: '{count} s',
  },
};
