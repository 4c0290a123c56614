import type { DialogueAct } from './acts.js';

/** The Spanish half of the act model's training lines (acts-training.ts), one a line per act. */
export const SPANISH_LINES: Readonly<Record<DialogueAct, string>> = {
  greeting: `
hola
buenos días
buenas noches
buenas
aló
buenas tardes, ¿me escucha?
hola, buen día`,
  small_talk: `
hola, qué tal
¿cómo está usted?
¿qué tal su día?
espero que esté teniendo un buen día
¿cómo le va hoy?
¿cómo has estado?
todo bien, ¿y usted?`,
  question: `
¿cuál es el horario?
¿abren los sábados?
¿cuánto cuesta la limpieza?
¿dónde queda la oficina?
¿aceptan seguro médico?
¿qué servicios ofrecen?
quisiera saber los precios
tengo una pregunta sobre mi factura
¿hay estacionamiento cerca?
¿cuánto tiempo dura la consulta?
¿puedo pagar con tarjeta?
¿cuál es la dirección?
oiga, ¿ustedes arreglan lavadoras viejas?
una duda, ¿hasta qué hora atienden los viernes?
pues quería saber si hacen envíos a otras ciudades
¿más o menos cuánto me cobrarían por pintar un cuarto?
si me llega roto el paquete, ¿qué hago?
¿el presupuesto tiene algún costo?
mire, ¿trabajan también con perros grandes?
¿me devuelven el dinero si no me gusta?
necesito saber cuándo llega mi pedido
necesito ayuda con mi estado de cuenta
quisiera saber qué pasó con mi reembolso`,
  book_appointment: `
quiero una cita
quisiera reservar una limpieza
necesito pedir hora para el martes
me gustaría agendar una consulta
¿puedo sacar un turno para mañana?
quiero reservar para el viernes
¿tienen disponibilidad esta semana?
se me descompuso el aire acondicionado, ¿pueden venir a revisarlo?
quiero que alguien venga a ver una gotera en el techo
necesito llevar mi bicicleta para que me la arreglen
¿me pueden atender mañana en la tarde?
mi gato no quiere comer, quisiera que me lo vea el veterinario
quería pedir otra consulta con la abogada
¿podrían mandar a alguien a revisar la instalación eléctrica?
quiero traer la computadora para que me la chequen
me gustaría que me hagan una limpieza de cutis esta semana`,
  reschedule_appointment: `
quiero reprogramar mi cita
necesito cambiar la hora de mi cita
¿se puede mover mi turno al jueves?
quisiera cambiar la fecha de la reserva
necesito otro día para mi cita
me surgió algo, ¿lo podemos pasar para el lunes?`,
  cancel_appointment: `
quiero cancelar la cita
por favor anule mi reserva
necesito cancelar mi turno del lunes
no voy a poder ir mañana, cancélela
ya no necesito que venga el técnico, cancélenlo`,
  human_request: `
hablar con un agente
quiero hablar con una persona
páseme con alguien por favor
necesito hablar con el gerente
comuníqueme con un asesor
quiero un humano
¿me comunica con el área de cobranza?
prefiero hablar con alguien que sepa de computadoras
¿me puede pasar con uno de los técnicos?
quiero hablar con la encargada de la tienda`,
  complaint: `
estoy muy enojado
el servicio fue pésimo
quiero poner una queja
esto es una vergüenza
me trataron muy mal
estoy harto de esperar
el técnico dejó todo sucio y nadie responde`,
  objection: `
es muy caro
no estoy interesado
ya tenemos un proveedor
lo tengo que pensar
la competencia es más barata
no me alcanza ahora, gracias`,
  leave_message: `
quiero dejar un mensaje
dígale a María que llamé
¿puede tomar un recado?
avísele al doctor que llegaré tarde
¿le puede pasar un recado al electricista?
quiero dejarle dicho algo a mi entrenador
dígales a los del reparto que el timbre no funciona
¿le puede avisar a la contadora que ya mandé los papeles?`,
  callback_request: `
llámenme más tarde
quiero que me devuelvan la llamada
¿me puede llamar mañana?
que alguien me llame por favor
¿me pueden marcar después de las cinco?
estoy manejando, ¿alguien me puede regresar la llamada en la tarde?
que me llame el gerente cuando pueda`,
  affirm: `
sí
claro
sí, correcto
vale
de acuerdo, adelante
perfecto
está bien
sí, así está bien`,
  deny: `
no
no, gracias
no, no es así
para nada
no, está mal
no, ese no`,
  thanks: `
gracias
muchas gracias
mil gracias
gracias por la ayuda
muy amable
le agradezco mucho`,
  goodbye: `
adiós
hasta luego
chao
nada más, adiós
hasta pronto
eso sería todo, que esté bien`,
  provide_info: `
me llamo Ana López
mi nombre es Carlos
es para una limpieza
mañana a las tres
el jueves por la tarde
un corte de pelo
a las diez
es para mi camioneta
el número de pedido es 3382`,
};
