using Microsoft.Extensions.DependencyInjection;
using Quartz;
using UsageBatch.Configuration;
using UsageBatch.Storage.SqlServer;

namespace UsageBatch.Hosting;

/// <summary>Registers Quartz (4.x: built-in DI and hosted service) with one durable job and one cron trigger per enabled job.</summary>
internal static class SchedulerRegistration
{
    public static IServiceCollection AddBillingScheduler(this IServiceCollection services, AppOptions options, string? storeConnectionString)
    {
        // On start-up the declared triggers replace the stored ones (so a cron edited in jobs.json applies). Without
        // this, the replacement would start from "now" and silently forget a firing missed while the host was down;
        // with it, the new trigger continues from the old one's last firing, so the misfire policy sees the miss.
        services.Configure<QuartzOptions>(o => o.Scheduling.ScheduleTriggerRelativeToReplacedTrigger = true);
        services.AddQuartz(q =>
        {
            var scheduler = options.Scheduler;
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = "usagebatch";
                // Quartz's default never signals a running job on shutdown. We wait for jobs and ask them to stop:
                // the run then stops claiming and sending at a safe point and releases what it never sent.
                s.ShutdownJobInterruption = ShutdownJobInterruption.WhenWaitingForJobs;
                if (scheduler.Clustered)
                {
                    if (scheduler.InstanceId.Equals("AUTO", StringComparison.OrdinalIgnoreCase))
                    {
                        s.GenerateInstanceId = true;
                    }
                    else
                    {
                        s.InstanceId = scheduler.InstanceId;
                    }
                }
            });
            ConfigureStore(q, scheduler, storeConnectionString, options.Database.Schema);

            foreach (var job in options.Jobs.Where(j => j.Enabled))
            {
                q.ScheduleJob<BillingJob>(
                    trigger => trigger
                        .WithIdentity(job.Name)
                        .WithDescription($"{job.Cron} ({job.TimeZone}), misfire {job.Misfire}")
                        .WithCronSchedule(CronText.Normalize(job.Cron), cron => cron
                            .InTimeZone(JobSchedule.TimeZone(job))
                            .WithMisfireInstruction(JobSchedule.Misfire(job))),
                    // Durable and recoverable: a firing interrupted by a crash is fired again when a scheduler
                    // (this host after a restart, or another cluster node) finds it; the run's recovery phase then
                    // finishes whatever the dead run left.
                    detail => detail.WithIdentity(job.Name).StoreDurably().RequestRecovery());
            }
        });
        services.AddQuartzHostedService(o =>
        {
            o.WaitForJobsToComplete = true;
            // Start the scheduler inside StartAsync, so a store that cannot start fails `serve` (exit 3) instead
            // of leaving a host running with nothing scheduled. The host has nothing else to wait for.
            o.AwaitApplicationStarted = false;
        });
        return services;
    }

    /// <summary>Quartz's table prefix on SQL Server: schema-qualified, as sql/sqlserver/003 creates the tables.</summary>
    internal static string QuartzTablePrefix(string schema) => $"[{SqlCmdScript.RequireIdentifier(schema, "database.schema")}].QRTZ_";

    /// <summary>Quartz's sessions show as the job's too (<c>program_name</c>), unless the string names an application.</summary>
    internal static string QuartzConnection(string connectionString)
    {
        if (Storage.SqlServer.SqlServerDatabase.NamesApplication(connectionString))
        {
            return connectionString;
        }

        return new Microsoft.Data.SqlClient.SqlConnectionStringBuilder(connectionString)
            { ApplicationName = Storage.SqlServer.SqlServerDatabase.ApplicationName + " scheduler" }.ConnectionString;
    }

    private static void ConfigureStore(IQuartzBuilder q, SchedulerOptions scheduler, string? connectionString, string schema)
    {
        switch (scheduler.Store)
        {
            case "memory":
                q.UseInMemoryStore(o => o.MisfireThreshold = scheduler.MisfireThreshold);
                break;
            case "sqlite":
                q.UsePersistentStore(s =>
                {
                    // Microsoft.Data.Sqlite ("SQLite-Microsoft"). Quartz's tables are QRTZ_*, ours ub_* and *_usage, so
                    // they share the embedded database file by default.
                    s.UseSqlite(connectionString!);
                    s.UseSystemTextJsonSerializer();
                    // Quartz 4's own schema, created by Quartz from the script embedded in Quartz.dll
                    // (Quartz.Impl.AdoJobStore.Schema.create_sqlite.sql) when a table is missing; it never alters or drops.
                    s.ProvisionSchema();
                    s.ConfigureStore(o => o.MisfireThreshold = scheduler.MisfireThreshold);
                });
                break;
            case "sqlserver":
                q.UsePersistentStore(s =>
                {
                    s.UseSqlServer(QuartzConnection(connectionString!));
                    s.UseSystemTextJsonSerializer();
                    // create_sqlServer.sql from Quartz.dll, for tables that are missing (a DBA may create them instead).
                    s.ProvisionSchema();
                    s.ConfigureStore(o =>
                    {
                        o.MisfireThreshold = scheduler.MisfireThreshold;
                        // sql/sqlserver/003 creates QRTZ_* in database.schema. Unqualified, the names resolve in the
                        // login's default schema: under the job role `serve` would fail, under db_owner it would
                        // silently create a second, empty set of tables (and nodes on other logins see other schedules).
                        o.TablePrefix = QuartzTablePrefix(schema);
                    });
                    if (scheduler.Clustered)
                    {
                        s.UseClustering(c => c.CheckinInterval = scheduler.CheckinInterval);
                    }
                });
                break;
            default:
                throw new ConfigurationException([$"scheduler.store: '{scheduler.Store}' is not one of sqlite, memory, sqlserver"]);
        }
    }
}
