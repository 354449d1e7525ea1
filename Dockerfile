# One image holds every SaasMonitor program; docker-compose.yml picks the module each container runs.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN for module in Ingest.Gateway Parser.Worker Indexer.Worker Aggregator.Worker Alerting.Worker Dashboard.Web SaasMonitor; do \
      dotnet publish "src/$module" -c Release -o "/app/$module" || exit 1; \
    done

FROM mcr.microsoft.com/dotnet/aspnet:10.0
COPY --from=build /app /app
ENV ASPNETCORE_URLS=http://+:8080 \
    SaasMonitor__DataDirectory=/data
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["dotnet", "/app/SaasMonitor/saasmon.dll"]
